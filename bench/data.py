"""Deterministic, realistic data for the W1 groups table: local climate groups in French towns."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

# (town, region): accents and hyphens on purpose, so contains/search exercise the accent folding.
TOWNS: list[tuple[str, str]] = [
    ("Grenoble", "Auvergne-Rhône-Alpes"),
    ("Lyon", "Auvergne-Rhône-Alpes"),
    ("Saint-Étienne", "Auvergne-Rhône-Alpes"),
    ("Clermont-Ferrand", "Auvergne-Rhône-Alpes"),
    ("Annecy", "Auvergne-Rhône-Alpes"),
    ("Chambéry", "Auvergne-Rhône-Alpes"),
    ("Valence", "Auvergne-Rhône-Alpes"),
    ("Dijon", "Bourgogne-Franche-Comté"),
    ("Besançon", "Bourgogne-Franche-Comté"),
    ("Mâcon", "Bourgogne-Franche-Comté"),
    ("Rennes", "Bretagne"),
    ("Brest", "Bretagne"),
    ("Quimper", "Bretagne"),
    ("Lorient", "Bretagne"),
    ("Saint-Brieuc", "Bretagne"),
    ("Vannes", "Bretagne"),
    ("Orléans", "Centre-Val de Loire"),
    ("Tours", "Centre-Val de Loire"),
    ("Bourges", "Centre-Val de Loire"),
    ("Ajaccio", "Corse"),
    ("Bastia", "Corse"),
    ("Strasbourg", "Grand Est"),
    ("Metz", "Grand Est"),
    ("Nancy", "Grand Est"),
    ("Reims", "Grand Est"),
    ("Mulhouse", "Grand Est"),
    ("Colmar", "Grand Est"),
    ("Lille", "Hauts-de-France"),
    ("Amiens", "Hauts-de-France"),
    ("Roubaix", "Hauts-de-France"),
    ("Dunkerque", "Hauts-de-France"),
    ("Paris", "Île-de-France"),
    ("Montreuil", "Île-de-France"),
    ("Saint-Denis", "Île-de-France"),
    ("Nanterre", "Île-de-France"),
    ("Versailles", "Île-de-France"),
    ("Rouen", "Normandie"),
    ("Caen", "Normandie"),
    ("Le Havre", "Normandie"),
    ("Cherbourg", "Normandie"),
    ("Bordeaux", "Nouvelle-Aquitaine"),
    ("Limoges", "Nouvelle-Aquitaine"),
    ("Poitiers", "Nouvelle-Aquitaine"),
    ("La Rochelle", "Nouvelle-Aquitaine"),
    ("Pau", "Nouvelle-Aquitaine"),
    ("Bayonne", "Nouvelle-Aquitaine"),
    ("Toulouse", "Occitanie"),
    ("Montpellier", "Occitanie"),
    ("Nîmes", "Occitanie"),
    ("Perpignan", "Occitanie"),
    ("Albi", "Occitanie"),
    ("Béziers", "Occitanie"),
    ("Nantes", "Pays de la Loire"),
    ("Angers", "Pays de la Loire"),
    ("Le Mans", "Pays de la Loire"),
    ("Saint-Nazaire", "Pays de la Loire"),
    ("Marseille", "Provence-Alpes-Côte d'Azur"),
    ("Nice", "Provence-Alpes-Côte d'Azur"),
    ("Toulon", "Provence-Alpes-Côte d'Azur"),
    ("Avignon", "Provence-Alpes-Côte d'Azur"),
    ("Aix-en-Provence", "Provence-Alpes-Côte d'Azur"),
    ("Gap", "Provence-Alpes-Côte d'Azur"),
]
REGIONS: list[str] = sorted({region for _, region in TOWNS})
PREFIXES = [
    "Alternatiba",
    "ANV-COP21",
    "Collectif climat",
    "Extinction Rebellion",
    "Greenpeace groupe local",
    "Attac",
    "Les Amis de la Terre",
    "Youth for Climate",
    "Dernière Rénovation",
    "Collectif vélo",
]
QUARTERS = ["Centre", "Nord", "Sud", "Est", "Ouest", "Gare", "Université", "Vieux-Port", "Croix-Rousse", "Bellevue"]
NOTE_PARTS = [
    "Réunion mensuelle le premier mardi à la maison des associations.",
    "Village des alternatives prévu au printemps, cherche des bénévoles pour la logistique.",
    "Formation à l'action non-violente organisée avec le groupe voisin.",
    "Contact presse à renouveler ; la liste de diffusion est à jour.",
    "Vélorution chaque dernier vendredi du mois, départ place de la mairie.",
    "Atelier réparation de vélos et repair café le samedi matin.",
    "Partenariat avec l'AMAP locale et la coopérative énergétique citoyenne.",
    "Besoin d'un local pour stocker le matériel (barnums, tables, sono).",
    "Campagne contre l'extension de l'aéroport et les projets inutiles.",
    "Interventions dans les lycées sur le climat et la justice sociale.",
    "Collecte de fonds pour le tour à vélo de l'été.",
    "Groupe en sommeil, à relancer après les élections municipales.",
]


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    return "".join(c if c.isalnum() else "-" for c in ascii_text).strip("-").replace("--", "-")


@dataclass(frozen=True)
class Group:
    name: str
    city: str
    region: str
    members: int
    active: bool
    founded: dt.date
    email: str
    notes: str


def generate(count: int, seed: int = 2026) -> list[Group]:
    """`count` groups, the same for a given count and seed."""
    rng = random.Random(seed)
    start = dt.date(2012, 1, 1).toordinal()
    span = dt.date(2025, 12, 31).toordinal() - start
    result = []
    for i in range(count):
        town, region = rng.choice(TOWNS)
        prefix = rng.choice(PREFIXES)
        quarter = rng.choice(QUARTERS)
        name = f"{prefix} {town} {quarter} {i + 1}"
        notes = " ".join(rng.sample(NOTE_PARTS, rng.randint(1, 3)))
        result.append(
            Group(
                name=name,
                city=town,
                region=region,
                members=int(rng.lognormvariate(3.2, 0.9)) + 1,
                active=rng.random() < 0.8,
                founded=dt.date.fromordinal(start + rng.randrange(span)),
                email=f"{slug(prefix)}.{slug(town)}.{i + 1}@example.org",
                notes=notes,
            )
        )
    return result
