"""Write examples/alternatiba_schema.json: the network tracker template, with its sample rows.

    python examples/make_alternatiba.py            # writes the JSON next to this script
    python examples/make_alternatiba.py --check    # fails if the committed JSON differs

A French network-tracking base modeled on a climate movement with two faces: Alternatiba (alternatives,
mobilizations) and ANV-COP21 (non-violent civil disobedience). Towns and regions are real; groups,
people, e-mail addresses (example.org) and phone numbers (the 06 39 98 range kept for fiction) are not.
The random generator is seeded and the dates are fixed, so the file is reproducible byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import unicodedata
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "alternatiba_schema.json"
SEED = 2026
# "Today" for the sample data: updates, activities and trainings are dated before it.
REFERENCE = dt.date(2026, 11, 20)
TOUR_START = dt.date(2026, 6, 1)  # the tour runs June to September
TOUR_DAYS = 121

REGIONS = [
    ("Auvergne-Rhône-Alpes", "orange"),
    ("Bourgogne-Franche-Comté", "dark-orange"),
    ("Bretagne", "blue"),
    ("Centre-Val de Loire", "light-green"),
    ("Corse", "purple"),
    ("Grand Est", "light-blue"),
    ("Hauts-de-France", "yellow"),
    ("Île-de-France", "red"),
    ("Normandie", "green"),
    ("Nouvelle-Aquitaine", "orange"),
    ("Occitanie", "red"),
    ("Pays de la Loire", "light-blue"),
    ("Provence-Alpes-Côte d'Azur", "yellow"),
]
R = {name: i for i, (name, _) in enumerate(REGIONS)}

# (town, département, region): real towns, listed roughly along a loop around France (the tour's order).
TOWNS = [
    ("Paris", "75", "Île-de-France"),
    ("Montreuil", "93", "Île-de-France"),
    ("Saint-Denis", "93", "Île-de-France"),
    ("Nanterre", "92", "Île-de-France"),
    ("Ivry-sur-Seine", "94", "Île-de-France"),
    ("Versailles", "78", "Île-de-France"),
    ("Cergy", "95", "Île-de-France"),
    ("Évry-Courcouronnes", "91", "Île-de-France"),
    ("Melun", "77", "Île-de-France"),
    ("Beauvais", "60", "Hauts-de-France"),
    ("Amiens", "80", "Hauts-de-France"),
    ("Lille", "59", "Hauts-de-France"),
    ("Roubaix", "59", "Hauts-de-France"),
    ("Dunkerque", "59", "Hauts-de-France"),
    ("Arras", "62", "Hauts-de-France"),
    ("Valenciennes", "59", "Hauts-de-France"),
    ("Saint-Quentin", "02", "Hauts-de-France"),
    ("Reims", "51", "Grand Est"),
    ("Charleville-Mézières", "08", "Grand Est"),
    ("Metz", "57", "Grand Est"),
    ("Nancy", "54", "Grand Est"),
    ("Strasbourg", "67", "Grand Est"),
    ("Colmar", "68", "Grand Est"),
    ("Mulhouse", "68", "Grand Est"),
    ("Épinal", "88", "Grand Est"),
    ("Troyes", "10", "Grand Est"),
    ("Belfort", "90", "Bourgogne-Franche-Comté"),
    ("Besançon", "25", "Bourgogne-Franche-Comté"),
    ("Dijon", "21", "Bourgogne-Franche-Comté"),
    ("Chalon-sur-Saône", "71", "Bourgogne-Franche-Comté"),
    ("Auxerre", "89", "Bourgogne-Franche-Comté"),
    ("Nevers", "58", "Bourgogne-Franche-Comté"),
    ("Mâcon", "71", "Bourgogne-Franche-Comté"),
    ("Lyon", "69", "Auvergne-Rhône-Alpes"),
    ("Villeurbanne", "69", "Auvergne-Rhône-Alpes"),
    ("Annecy", "74", "Auvergne-Rhône-Alpes"),
    ("Chambéry", "73", "Auvergne-Rhône-Alpes"),
    ("Grenoble", "38", "Auvergne-Rhône-Alpes"),
    ("Valence", "26", "Auvergne-Rhône-Alpes"),
    ("Saint-Étienne", "42", "Auvergne-Rhône-Alpes"),
    ("Clermont-Ferrand", "63", "Auvergne-Rhône-Alpes"),
    ("Le Puy-en-Velay", "43", "Auvergne-Rhône-Alpes"),
    ("Aurillac", "15", "Auvergne-Rhône-Alpes"),
    ("Bourg-en-Bresse", "01", "Auvergne-Rhône-Alpes"),
    ("Die", "26", "Auvergne-Rhône-Alpes"),
    ("Avignon", "84", "Provence-Alpes-Côte d'Azur"),
    ("Gap", "05", "Provence-Alpes-Côte d'Azur"),
    ("Nice", "06", "Provence-Alpes-Côte d'Azur"),
    ("Cannes", "06", "Provence-Alpes-Côte d'Azur"),
    ("Toulon", "83", "Provence-Alpes-Côte d'Azur"),
    ("Marseille", "13", "Provence-Alpes-Côte d'Azur"),
    ("Aix-en-Provence", "13", "Provence-Alpes-Côte d'Azur"),
    ("Arles", "13", "Provence-Alpes-Côte d'Azur"),
    ("Forcalquier", "04", "Provence-Alpes-Côte d'Azur"),
    ("Ajaccio", "2A", "Corse"),
    ("Bastia", "2B", "Corse"),
    ("Corte", "2B", "Corse"),
    ("Nîmes", "30", "Occitanie"),
    ("Alès", "30", "Occitanie"),
    ("Montpellier", "34", "Occitanie"),
    ("Béziers", "34", "Occitanie"),
    ("Perpignan", "66", "Occitanie"),
    ("Carcassonne", "11", "Occitanie"),
    ("Toulouse", "31", "Occitanie"),
    ("Albi", "81", "Occitanie"),
    ("Rodez", "12", "Occitanie"),
    ("Millau", "12", "Occitanie"),
    ("Cahors", "46", "Occitanie"),
    ("Montauban", "82", "Occitanie"),
    ("Tarbes", "65", "Occitanie"),
    ("Foix", "09", "Occitanie"),
    ("Auch", "32", "Occitanie"),
    ("Pau", "64", "Nouvelle-Aquitaine"),
    ("Bayonne", "64", "Nouvelle-Aquitaine"),
    ("Mont-de-Marsan", "40", "Nouvelle-Aquitaine"),
    ("Agen", "47", "Nouvelle-Aquitaine"),
    ("Bordeaux", "33", "Nouvelle-Aquitaine"),
    ("Bègles", "33", "Nouvelle-Aquitaine"),
    ("Périgueux", "24", "Nouvelle-Aquitaine"),
    ("Limoges", "87", "Nouvelle-Aquitaine"),
    ("Tulle", "19", "Nouvelle-Aquitaine"),
    ("Angoulême", "16", "Nouvelle-Aquitaine"),
    ("La Rochelle", "17", "Nouvelle-Aquitaine"),
    ("Niort", "79", "Nouvelle-Aquitaine"),
    ("Poitiers", "86", "Nouvelle-Aquitaine"),
    ("Guéret", "23", "Nouvelle-Aquitaine"),
    ("Châteauroux", "36", "Centre-Val de Loire"),
    ("Bourges", "18", "Centre-Val de Loire"),
    ("Tours", "37", "Centre-Val de Loire"),
    ("Blois", "41", "Centre-Val de Loire"),
    ("Orléans", "45", "Centre-Val de Loire"),
    ("Chartres", "28", "Centre-Val de Loire"),
    ("Saumur", "49", "Pays de la Loire"),
    ("Angers", "49", "Pays de la Loire"),
    ("Le Mans", "72", "Pays de la Loire"),
    ("Laval", "53", "Pays de la Loire"),
    ("Nantes", "44", "Pays de la Loire"),
    ("Saint-Nazaire", "44", "Pays de la Loire"),
    ("La Roche-sur-Yon", "85", "Pays de la Loire"),
    ("Cholet", "49", "Pays de la Loire"),
    ("Vannes", "56", "Bretagne"),
    ("Lorient", "56", "Bretagne"),
    ("Quimper", "29", "Bretagne"),
    ("Brest", "29", "Bretagne"),
    ("Morlaix", "29", "Bretagne"),
    ("Lannion", "22", "Bretagne"),
    ("Saint-Brieuc", "22", "Bretagne"),
    ("Rennes", "35", "Bretagne"),
    ("Saint-Malo", "35", "Bretagne"),
    ("Redon", "35", "Bretagne"),
    ("Avranches", "50", "Normandie"),
    ("Cherbourg-en-Cotentin", "50", "Normandie"),
    ("Saint-Lô", "50", "Normandie"),
    ("Caen", "14", "Normandie"),
    ("Lisieux", "14", "Normandie"),
    ("Alençon", "61", "Normandie"),
    ("Évreux", "27", "Normandie"),
    ("Le Havre", "76", "Normandie"),
    ("Rouen", "76", "Normandie"),
    ("Dieppe", "76", "Normandie"),
    ("Villejuif", "94", "Île-de-France"),
    ("Pontoise", "95", "Île-de-France"),
    ("Vienne", "38", "Auvergne-Rhône-Alpes"),
    ("Romans-sur-Isère", "26", "Auvergne-Rhône-Alpes"),
    ("Sète", "34", "Occitanie"),
    ("Narbonne", "11", "Occitanie"),
    ("Dax", "40", "Nouvelle-Aquitaine"),
    ("Brive-la-Gaillarde", "19", "Nouvelle-Aquitaine"),
    ("Vierzon", "18", "Centre-Val de Loire"),
    ("Douai", "59", "Hauts-de-France"),
    ("Compiègne", "60", "Hauts-de-France"),
    ("Thionville", "57", "Grand Est"),
    ("Lons-le-Saunier", "39", "Bourgogne-Franche-Comté"),
    ("Manosque", "04", "Provence-Alpes-Côte d'Azur"),
    ("Fougères", "35", "Bretagne"),
]
# Large towns with more than one group: the second is named after a district.
DISTRICTS = {
    "Paris": ["Paris 20e", "Paris 13e", "Paris 18e"],
    "Lyon": ["Lyon Croix-Rousse"],
    "Marseille": ["Marseille Nord"],
    "Toulouse": ["Toulouse Mirail"],
    "Bordeaux": ["Bordeaux Bastide"],
    "Nantes": ["Nantes Sud"],
}
GROUP_PATTERNS = [
    "Les Alternatives de {t}",
    "{t} en transition",
    "Collectif Climat {t}",
    "Les Pieds sur terre — {t}",
    "Climat Solidaire {t}",
    "Les Désobéissant·es de {t}",
    "Villages d'avenir {t}",
    "Le Fil vert — {t}",
    "Cap Transition {t}",
    "Les Faiseur·euses de {t}",
    "Action Climat {t}",
    "Les Colibris têtus de {t}",
]
FIRST = [
    "Camille",
    "Léa",
    "Manon",
    "Inès",
    "Chloé",
    "Sarah",
    "Julie",
    "Emma",
    "Lucie",
    "Zoé",
    "Anaïs",
    "Mathilde",
    "Clara",
    "Nadia",
    "Fatou",
    "Yasmine",
    "Aurélie",
    "Elsa",
    "Jeanne",
    "Margot",
    "Salomé",
    "Louise",
    "Maëlle",
    "Hugo",
    "Lucas",
    "Théo",
    "Nathan",
    "Mathis",
    "Karim",
    "Yanis",
    "Antoine",
    "Julien",
    "Maxime",
    "Thomas",
    "Romain",
    "Bastien",
    "Élie",
    "Samuel",
    "Gaspard",
    "Mehdi",
    "Olivier",
    "Pierre",
    "Malik",
    "Loïc",
    "Adrien",
    "Sacha",
    "Alex",
    "Dominique",
    "Noa",
    "Charlie",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Durand",
    "Lefebvre",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Lemaire",
    "Benali",
    "Diallo",
    "Nguyen",
    "Traoré",
    "Le Gall",
    "Kerbrat",
    "Etcheverry",
    "Santoni",
    "Ferrari",
]
STATUS = [("Actif", "green"), ("En construction", "light-blue"), ("En sommeil", "orange"), ("Arrêté", "red")]
MOVEMENTS = [("Alternatiba", "green"), ("ANV-COP21", "purple")]
ROLES = [
    ("Coordination", "blue"),
    ("Communication", "orange"),
    ("Mobilisation", "red"),
    ("Formation", "purple"),
    ("Trésorerie", "yellow"),
    ("Logistique", "light-green"),
    ("Accueil des nouvelles personnes", "light-blue"),
]
ACTIVITY_TYPES = [
    ("Réunion publique", "blue"),
    ("Atelier", "light-green"),
    ("Action non-violente", "purple"),
    ("Village des alternatives", "green"),
    ("Projection-débat", "orange"),
    ("Stand", "yellow"),
    ("Réunion de groupe", "light-blue"),
]
MOBILIZATION_TYPES = [
    ("Campagne nationale", "blue"),
    ("Marche", "green"),
    ("Action de désobéissance civile", "purple"),
    ("Village des alternatives", "light-green"),
    ("Tour à vélo", "orange"),
]
PARTICIPATION = [("confirmé", "green"), ("intéressé", "yellow"), ("annulé", "red")]
THEMES = [
    ("Action non-violente", "purple"),
    ("Accueil et intégration", "light-blue"),
    ("Communication", "orange"),
    ("Facilitation de réunions", "green"),
    ("Climat : les bases", "blue"),
    ("Droits et garde à vue", "red"),
    ("Organiser une campagne", "dark-orange"),
]
STAGE_TYPES = [
    ("Village des alternatives", "green"),
    ("Soirée-débat", "blue"),
    ("Halte vélo", "light-green"),
    ("Journée de repos", "light-blue"),
]
MISSIONS = [
    ("Accueil", "blue"),
    ("Cuisine", "orange"),
    ("Logistique", "light-green"),
    ("Ateliers", "purple"),
    ("Soin et écoute", "light-blue"),
    ("Communication", "yellow"),
    ("Sécurité et médiation", "red"),
    ("Garderie", "green"),
]
CAMP_DAYS = ["Sam. 22/08", "Dim. 23/08", "Lun. 24/08", "Mar. 25/08", "Mer. 26/08", "Jeu. 27/08", "Ven. 28/08"]
MOBILIZATIONS = [
    (
        "Marche pour le climat de printemps",
        "Marche",
        ["Alternatiba", "ANV-COP21"],
        dt.date(2026, 3, 14),
        1,
        "Marches dans toutes les villes du réseau le même samedi.",
    ),
    (
        "Semaine des alternatives",
        "Village des alternatives",
        ["Alternatiba"],
        dt.date(2026, 5, 16),
        7,
        "Chaque groupe ouvre un village des alternatives ou une journée portes ouvertes.",
    ),
    (
        "Tour Alternatiba à vélo",
        "Tour à vélo",
        ["Alternatiba"],
        TOUR_START,
        TOUR_DAYS,
        "Quatre mois à vélo à travers une centaine de villes ; voir la table Étapes du tour.",
    ),
    (
        "Banques sans fossiles",
        "Action de désobéissance civile",
        ["ANV-COP21"],
        dt.date(2026, 10, 3),
        2,
        "Actions non-violentes devant les agences des banques qui financent les énergies fossiles.",
    ),
    (
        "Camp climat d'été",
        "Campagne nationale",
        ["Alternatiba", "ANV-COP21"],
        dt.date(2026, 8, 22),
        7,
        "Une semaine de formations et de rencontres ; voir la table Bénévoles du camp climat.",
    ),
    (
        "Journée contre les méga-projets",
        "Campagne nationale",
        ["Alternatiba", "ANV-COP21"],
        dt.date(2026, 11, 28),
        1,
        "Rassemblements contre les projets inutiles et imposés, partout en même temps.",
    ),
]


def options(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Select options with fixed ids (1, 2, ...): view filters on a select name its options by id."""
    return [{"id": i, "value": v, "color": c} for i, (v, c) in enumerate(pairs, start=1)]


def option_id(pairs: list[tuple[str, str]], value: str) -> str:
    return str([v for v, _ in pairs].index(value) + 1)


def ascii_slug(text: str, sep: str = ".") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return sep.join("".join(c if c.isalnum() else " " for c in plain).split())


def f(name: str, type_: str, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "type": type_}
    opts = extra.pop("options", None)
    if opts:
        out["options"] = opts
    out.update(extra)
    return out


def primary(name: str) -> dict[str, Any]:
    return {"name": name, "type": "text", "primary": True}


def date(name: str) -> dict[str, Any]:
    return f(name, "date", options={"date_format": "EU"})


def select(name: str, pairs: list[tuple[str, str]], multiple: bool = False) -> dict[str, Any]:
    return f(name, "multiple_select" if multiple else "single_select", options={"select_options": options(pairs)})


def number(name: str, places: int = 0) -> dict[str, Any]:
    return f(name, "number", options={"number_decimal_places": places, "number_negative": False})


def where(field: str, type_: str, value: str) -> dict[str, Any]:
    return {"filter_type": "AND", "filters": [{"field": field, "type": type_, "value": value}]}


CONFIRMED = where("Statut", "single_select_equal", option_id(PARTICIPATION, "confirmé"))
INTERESTED = where("Statut", "single_select_equal", option_id(PARTICIPATION, "intéressé"))


def grid(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "grid", **extra}


def form(
    name: str, title: str, description: str, submit: str, message: str, fields: list[tuple[str, bool, str]]
) -> dict[str, Any]:
    """A form view (never shared by the template): fields as (name, required, help text)."""
    return {
        "name": name,
        "type": "form",
        "options": {
            "title": title,
            "description": description,
            "submit_text": submit,
            "submit_action": "MESSAGE",
            "submit_action_message": message,
        },
        "field_options": {
            n: {"enabled": True, "required": req, "order": i, "description": help_}
            for i, (n, req, help_) in enumerate(fields)
        },
    }


def schema() -> list[dict[str, Any]]:
    groups = {
        "name": "Groupes locaux",
        "fields": [
            primary("Nom"),
            f("Ville", "text"),
            f("Département", "text"),
            select("Région", REGIONS),
            select("Mouvements", MOVEMENTS, multiple=True),
            select("Statut", STATUS),
            f("E-mail du groupe", "email"),
            f("Site web", "url"),
            date("Date de création"),
            number("Membres actifs"),
            date("Dernière mise à jour"),
            f("Notes", "long_text"),
            # Reverse sides of links described in the other tables.
            f("Référent·es", "link_row", link_table="Référent·es", related_name="Groupe", reverse=True),
            f("Activités", "link_row", link_table="Activités", related_name="Groupe", reverse=True),
            f("Participations", "link_row", link_table="Participations", related_name="Groupe", reverse=True),
            f(
                "Étapes accueillies",
                "link_row",
                link_table="Étapes du tour",
                related_name="Groupe d'accueil",
                reverse=True,
            ),
            f(
                "Bénévoles au camp",
                "link_row",
                link_table="Bénévoles du camp climat",
                related_name="Groupe local",
                reverse=True,
            ),
            f("Nombre de référent·es", "count", through="Référent·es"),
            f("Nombre d'activités", "count", through="Activités"),
            f("Dernière activité", "rollup", through="Activités", target="Date", options={"rollup_function": "latest"}),
            f("Participations confirmées", "count", through="Participations", options={"filters": CONFIRMED}),
            f(
                "Participants aux mobilisations",
                "rollup",
                through="Participations",
                target="Participants",
                options={"rollup_function": "sum", "number_decimal_places": 0, "filters": CONFIRMED},
            ),
            f(
                "Jours depuis la mise à jour",
                "formula",
                formula='DATETIME_DIFF(TODAY(), {Dernière mise à jour}, "days")',
                description="Calculé à chaque modification de la ligne.",
            ),
            f(
                "À relancer",
                "formula",
                formula="OR({Dernière mise à jour} = BLANK(), {Jours depuis la mise à jour} > 30)",
                description="Pas de nouvelles depuis plus de 30 jours : envoyer le lien de mise à jour.",
            ),
            # Last: a lookup of a lookup is made once the lookup it reads exists (keeps the field order).
            f("Mobilisations", "lookup", through="Participations", target="Mobilisation (nom)"),
        ],
        "views": [
            grid("Tous les groupes", sorts=[{"field": "Nom"}]),
            grid(
                "Groupes actifs par région",
                filters=[{"field": "Statut", "type": "single_select_equal", "value": option_id(STATUS, "Actif")}],
                group_bys=[{"field": "Région"}],
                sorts=[{"field": "Ville"}],
            ),
            grid(
                "À relancer",
                # Read when the view is read (a formula with TODAY() is computed when its row is written).
                filter_type="OR",
                filters=[
                    {"field": "Dernière mise à jour", "type": "date_is_before", "value": "Europe/Paris?30?nr_days_ago"},
                    {"field": "Dernière mise à jour", "type": "empty", "value": ""},
                ],
                sorts=[{"field": "Dernière mise à jour"}],
                field_options={
                    n: {"hidden": True}
                    for n in (
                        "Notes",
                        "Site web",
                        "Date de création",
                        "Activités",
                        "Participations",
                        "Étapes accueillies",
                        "Bénévoles au camp",
                        "Mobilisations",
                    )
                },
            ),
            {"name": "Par statut", "type": "kanban", "options": {"single_select_field": "Statut"}},
            {
                "name": "Fiches des groupes",
                "type": "gallery",
                "field_options": {
                    n: {"hidden": False, "order": i}
                    for i, n in enumerate(["Ville", "Région", "Mouvements", "Statut", "Membres actifs"])
                },
            },
            form(
                "Nouveau groupe",
                "Créer un groupe local",
                "Vous lancez un groupe Alternatiba ou ANV-COP21 ? Présentez-le ici, l'équipe nationale "
                "vous recontacte sous une semaine.",
                "Envoyer",
                "Merci ! Votre groupe est enregistré ; l'équipe nationale vous écrit très vite.",
                [
                    ("Nom", True, "Le nom sous lequel le groupe se présente."),
                    ("Ville", True, ""),
                    ("Département", False, "Numéro, par exemple 35."),
                    ("Région", True, ""),
                    ("Mouvements", True, "Alternatiba, ANV-COP21 ou les deux."),
                    ("E-mail du groupe", True, "Une adresse partagée, pas une adresse personnelle."),
                    ("Site web", False, ""),
                    ("Membres actifs", False, "Une estimation suffit."),
                    ("Notes", False, "Ce que vous faites déjà, ce dont vous avez besoin."),
                ],
            ),
            form(
                "Mise à jour mensuelle",
                "Nouvelles du groupe",
                "Chaque mois, dites-nous où en est votre groupe : deux minutes suffisent.",
                "Mettre à jour",
                "Merci pour ces nouvelles !",
                [
                    ("Statut", True, ""),
                    ("Membres actifs", True, ""),
                    ("Mouvements", False, ""),
                    ("E-mail du groupe", False, ""),
                    ("Site web", False, ""),
                    ("Dernière mise à jour", True, "La date d'aujourd'hui."),
                    ("Notes", False, "Projets, difficultés, besoins de formation..."),
                ],
            ),
        ],
    }
    people = {
        "name": "Référent·es",
        "fields": [
            primary("Nom"),
            f("E-mail", "email"),
            f("Téléphone", "phone_number"),
            select("Rôle", ROLES),
            f("Groupe", "link_row", link_table="Groupes locaux", related_name="Référent·es"),
            f("Ville", "lookup", through="Groupe", target="Ville"),
            f("Région", "lookup", through="Groupe", target="Région"),
            f("Formations données", "link_row", link_table="Formations", related_name="Formateur·rices", reverse=True),
            f("Nombre de formations données", "count", through="Formations données"),
            f(
                "Personnes formées",
                "rollup",
                through="Formations données",
                target="Participants",
                options={"rollup_function": "sum", "number_decimal_places": 0},
            ),
        ],
        "views": [
            grid("Toutes les personnes", sorts=[{"field": "Nom"}]),
            grid("Par rôle", group_bys=[{"field": "Rôle"}], sorts=[{"field": "Nom"}]),
            grid(
                "Formateur·rices",
                filters=[{"field": "Nombre de formations données", "type": "higher_than", "value": "0"}],
                sorts=[{"field": "Personnes formées", "order": "DESC"}],
            ),
        ],
    }
    activities = {
        "name": "Activités",
        "fields": [
            primary("Intitulé"),
            date("Date"),
            select("Type", ACTIVITY_TYPES),
            number("Participants"),
            f("Groupe", "link_row", link_table="Groupes locaux", related_name="Activités"),
            f("Ville", "lookup", through="Groupe", target="Ville"),
            f("Région", "lookup", through="Groupe", target="Région"),
            f("Compte rendu", "long_text"),
        ],
        "views": [
            grid("Toutes les activités", sorts=[{"field": "Date", "order": "DESC"}]),
            {"name": "Calendrier des activités", "type": "calendar", "options": {"date_field": "Date"}},
            {"name": "Par type", "type": "kanban", "options": {"single_select_field": "Type"}},
            grid(
                "Actions non-violentes",
                filters=[
                    {
                        "field": "Type",
                        "type": "single_select_equal",
                        "value": option_id(ACTIVITY_TYPES, "Action non-violente"),
                    }
                ],
                sorts=[{"field": "Date", "order": "DESC"}],
            ),
        ],
    }
    mobilizations = {
        "name": "Mobilisations",
        "fields": [
            primary("Nom"),
            select("Type", MOBILIZATION_TYPES),
            select("Mouvements", MOVEMENTS, multiple=True),
            date("Date de début"),
            date("Date de fin"),
            f("Description", "long_text"),
            f("Participations", "link_row", link_table="Participations", related_name="Mobilisation", reverse=True),
            f("Groupes confirmés", "count", through="Participations", options={"filters": CONFIRMED}),
            f("Groupes intéressés", "count", through="Participations", options={"filters": INTERESTED}),
            f(
                "Participants attendus",
                "rollup",
                through="Participations",
                target="Participants",
                options={"rollup_function": "sum", "number_decimal_places": 0, "filters": CONFIRMED},
            ),
            f("Durée (jours)", "formula", formula='DATETIME_DIFF({Date de fin}, {Date de début}, "days") + 1'),
        ],
        "views": [
            grid("Toutes les mobilisations", sorts=[{"field": "Date de début"}]),
            {"name": "Calendrier des mobilisations", "type": "calendar", "options": {"date_field": "Date de début"}},
        ],
    }
    participations = {
        "name": "Participations",
        "fields": [
            primary("Intitulé"),
            f("Groupe", "link_row", link_table="Groupes locaux", related_name="Participations"),
            f("Mobilisation", "link_row", link_table="Mobilisations", related_name="Participations"),
            select("Statut", PARTICIPATION),
            number("Participants"),
            f("Commentaire", "text"),
            f("Région", "lookup", through="Groupe", target="Région"),
            f("Mobilisation (nom)", "lookup", through="Mobilisation", target="Nom"),
            f("Date", "lookup", through="Mobilisation", target="Date de début"),
        ],
        "views": [
            grid("Toutes les participations", group_bys=[{"field": "Statut"}], sorts=[{"field": "Intitulé"}]),
            grid(
                "Confirmées",
                filters=[
                    {"field": "Statut", "type": "single_select_equal", "value": option_id(PARTICIPATION, "confirmé")}
                ],
                sorts=[{"field": "Participants", "order": "DESC"}],
            ),
            {"name": "Par statut", "type": "kanban", "options": {"single_select_field": "Statut"}},
        ],
    }
    trainings = {
        "name": "Formations",
        "fields": [
            primary("Intitulé"),
            select("Thème", THEMES),
            date("Date"),
            f("Lieu", "text"),
            number("Participants"),
            f("Formateur·rices", "link_row", link_table="Référent·es", related_name="Formations données"),
            f("Groupe des formateur·rices", "lookup", through="Formateur·rices", target="Ville"),
            f("Durée", "duration", options={"duration_format": "h:mm"}),
        ],
        "views": [
            grid("Toutes les formations", sorts=[{"field": "Date", "order": "DESC"}]),
            grid("Par thème", group_bys=[{"field": "Thème"}], sorts=[{"field": "Date"}]),
            {"name": "Calendrier des formations", "type": "calendar", "options": {"date_field": "Date"}},
        ],
    }
    stages = {
        "name": "Étapes du tour",
        "fields": [
            primary("Ville"),
            number("Étape n°"),
            date("Date"),
            f("Département", "text"),
            select("Type d'étape", STAGE_TYPES),
            number("Kilomètres depuis l'étape précédente"),
            f("Groupe d'accueil", "link_row", link_table="Groupes locaux", related_name="Étapes accueillies"),
            f("Contact du groupe", "lookup", through="Groupe d'accueil", target="E-mail du groupe"),
            f("Accueil confirmé", "boolean"),
            f("Sans accueil", "formula", formula="COUNTALL({Groupe d'accueil}) = 0"),
        ],
        "views": [
            grid("Parcours", sorts=[{"field": "Étape n°"}]),
            {"name": "Calendrier du tour", "type": "calendar", "options": {"date_field": "Date"}},
            grid(
                "Étapes à confirmer",
                filter_type="OR",
                filters=[
                    {"field": "Accueil confirmé", "type": "boolean", "value": "0"},
                    {"field": "Groupe d'accueil", "type": "empty", "value": ""},
                ],
                sorts=[{"field": "Date"}],
            ),
        ],
    }
    volunteers = {
        "name": "Bénévoles du camp climat",
        "fields": [
            primary("Nom"),
            f("E-mail", "email"),
            select("Mission", MISSIONS),
            select("Jours de présence", [(d, "light-blue") for d in CAMP_DAYS], multiple=True),
            f("Nombre de jours", "formula", formula="COUNTALL({Jours de présence})"),
            f("Groupe local", "link_row", link_table="Groupes locaux", related_name="Bénévoles au camp"),
            f("Remarques", "text"),
        ],
        "views": [
            grid("Tous les bénévoles", sorts=[{"field": "Nom"}]),
            grid("Par mission", group_bys=[{"field": "Mission"}], sorts=[{"field": "Nom"}]),
            {"name": "Planning par mission", "type": "kanban", "options": {"single_select_field": "Mission"}},
            form(
                "Inscription bénévole",
                "Bénévole au camp climat",
                "Une semaine pour se former, se rencontrer et faire vivre le camp. Choisissez une mission.",
                "Je m'inscris",
                "Merci ! Vous recevrez les informations pratiques début août.",
                [
                    ("Nom", True, ""),
                    ("E-mail", True, ""),
                    ("Mission", True, ""),
                    ("Jours de présence", True, ""),
                    ("Remarques", False, "Régime alimentaire, accessibilité..."),
                ],
            ),
        ],
    }
    return [groups, people, activities, mobilizations, participations, trainings, stages, volunteers]


def person_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            return name


def phone(rng: random.Random) -> str:
    return f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def day(d: dt.date) -> str:
    return d.isoformat()


def rows(tables: dict[str, dict[str, Any]]) -> None:
    rng = random.Random(SEED)
    # --- groups: one per town (the first ~108 towns), plus districts of the large towns ---
    homes: list[tuple[str, str, str, str]] = []  # (name in the group's name, town, département, region)
    for town, dep, region in TOWNS[:108]:
        homes.append((town, town, dep, region))
        homes += [(d, town, dep, region) for d in DISTRICTS.get(town, [])]
    groups: list[dict[str, Any]] = []
    used_names: set[str] = set()
    for n, (label, town, dep, region) in enumerate(homes, start=1):
        name = rng.choice(GROUP_PATTERNS).format(t=label)
        while name in used_names:
            name = rng.choice(GROUP_PATTERNS).format(t=label)
        used_names.add(name)
        movement = rng.choices([["Alternatiba"], ["ANV-COP21"], ["Alternatiba", "ANV-COP21"]], [5, 2, 4])[0]
        status = rng.choices([s for s, _ in STATUS], [70, 12, 14, 4])[0]
        slug = ascii_slug(name, "-")
        updated = REFERENCE - dt.timedelta(days=rng.choice([2, 5, 9, 12, 16, 21, 26, 34, 45, 60, 95]))
        row: dict[str, Any] = {
            "id": n,
            "Nom": name,
            "Ville": town,
            "Département": dep,
            "Région": region,
            "Mouvements": movement,
            "Statut": status,
            "E-mail du groupe": f"{slug}@example.org",
            "Date de création": day(dt.date(rng.randint(2013, 2025), rng.randint(1, 12), rng.randint(1, 28))),
            "Membres actifs": rng.choice([4, 6, 8, 10, 12, 15, 18, 22, 30, 40, 55]),
        }
        if rng.random() < 0.45:
            row["Site web"] = f"https://{slug}.example.org"
        if rng.random() < 0.93:  # a few groups never sent news
            row["Dernière mise à jour"] = day(updated)
        if rng.random() < 0.3:
            row["Notes"] = rng.choice(
                [
                    "Cherche une salle pour les réunions mensuelles.",
                    "Demande une formation à l'action non-violente.",
                    "Nouvelle équipe depuis la rentrée.",
                    "Très actif sur le vélo et les mobilités douces.",
                    "Besoin de matériel pour un village des alternatives.",
                    "Lien fort avec les AMAP du secteur.",
                ]
            )
        groups.append(row)
    tables["Groupes locaux"]["rows"] = groups

    # --- referents: one to three per group (about 150) ---
    people: list[dict[str, Any]] = []
    used_people: set[str] = set()
    for g in groups:
        count = rng.choices([0, 1, 2, 3], [5, 65, 27, 3])[0] if g["Statut"] != "Arrêté" else 1
        roles = rng.sample([r for r, _ in ROLES], count)
        for role in roles:
            name = person_name(rng, used_people)
            people.append(
                {
                    "id": len(people) + 1,
                    "Nom": name,
                    "E-mail": f"{ascii_slug(name)}@example.org",
                    "Téléphone": phone(rng),
                    "Rôle": role,
                    "Groupe": [g["id"]],
                }
            )
    tables["Référent·es"]["rows"] = people

    # --- activities (about 60) ---
    subjects = {
        "Réunion publique": ["Réunion d'accueil des nouvelles personnes", "Quelle transition pour {t} ?"],
        "Atelier": ["Atelier réparation de vélos", "Atelier zéro déchet", "Atelier fresque du climat"],
        "Action non-violente": ["Action devant une agence bancaire", "Chaîne humaine pour le climat"],
        "Village des alternatives": ["Village des alternatives de {t}"],
        "Projection-débat": ["Projection-débat : les luttes locales", "Ciné-débat sur la sobriété"],
        "Stand": ["Stand au marché", "Stand à la fête de quartier"],
        "Réunion de groupe": ["Réunion mensuelle du groupe", "Week-end de préparation"],
    }
    living = [g for g in groups if g["Statut"] in ("Actif", "En construction")]
    activities = []
    for n in range(1, 61):
        g = rng.choice(living)
        kind = rng.choice([k for k, _ in ACTIVITY_TYPES])
        when = REFERENCE - dt.timedelta(days=rng.randint(0, 300))
        title = rng.choice(subjects[kind]).format(t=g["Ville"])
        people_count = {
            "Village des alternatives": rng.randint(150, 2500),
            "Stand": rng.randint(20, 120),
            "Réunion de groupe": rng.randint(5, 20),
        }.get(kind, rng.randint(12, 90))
        row = {
            "id": n,
            "Intitulé": f"{title} ({g['Ville']})",
            "Date": day(when),
            "Type": kind,
            "Participants": people_count,
            "Groupe": [g["id"]],
        }
        if rng.random() < 0.4:
            row["Compte rendu"] = rng.choice(
                [
                    "Belle affluence, plusieurs contacts pris pour rejoindre le groupe.",
                    "Bonne couverture par la presse locale.",
                    "Météo difficile, mais l'équipe a tenu.",
                    "À refaire au printemps, avec plus de visibilité en amont.",
                ]
            )
        activities.append(row)
    activities.sort(key=lambda r: (r["Date"], r["id"]))
    for n, row in enumerate(activities, start=1):
        row["id"] = n
    tables["Activités"]["rows"] = activities

    # --- mobilizations (6) and participations (about 200) ---
    mobs = []
    for n, (name, kind, movements, start, days, text) in enumerate(MOBILIZATIONS, start=1):
        mobs.append(
            {
                "id": n,
                "Nom": name,
                "Type": kind,
                "Mouvements": movements,
                "Date de début": day(start),
                "Date de fin": day(start + dt.timedelta(days=days - 1)),
                "Description": text,
            }
        )
    tables["Mobilisations"]["rows"] = mobs
    participations = []
    per_mobilization = [48, 36, 30, 30, 28, 28]
    for mob, wanted in zip(mobs, per_mobilization, strict=True):
        eligible = [
            g for g in groups if g["Statut"] != "Arrêté" and any(m in g["Mouvements"] for m in mob["Mouvements"])
        ]
        for g in rng.sample(eligible, min(wanted, len(eligible))):
            status = rng.choices([s for s, _ in PARTICIPATION], [70, 22, 8])[0]
            row = {
                "id": len(participations) + 1,
                "Intitulé": f"{g['Nom']} — {mob['Nom']}",
                "Groupe": [g["id"]],
                "Mobilisation": [mob["id"]],
                "Statut": status,
            }
            if status != "annulé":
                row["Participants"] = max(3, int(g["Membres actifs"] * rng.uniform(0.4, 2.5)))
            if rng.random() < 0.15:
                row["Commentaire"] = rng.choice(
                    [
                        "Car partagé avec le groupe voisin",
                        "Besoin d'hébergement",
                        "Vient avec sa fanfare",
                        "Confirmation après l'AG",
                    ]
                )
            participations.append(row)
    tables["Participations"]["rows"] = participations

    # --- trainings (40), given by one or two referents ---
    trainers = [p for p in people if p["Rôle"] in ("Formation", "Coordination", "Mobilisation")]
    trainings = []
    for n in range(1, 41):
        theme = rng.choice([t for t, _ in THEMES])
        who = rng.sample(trainers, rng.choice([1, 1, 2]))
        place = next(g["Ville"] for g in groups if g["id"] == who[0]["Groupe"][0])
        when = REFERENCE - dt.timedelta(days=rng.randint(0, 330))
        trainings.append(
            {
                "id": n,
                "Intitulé": f"{theme} — {place}",
                "Thème": theme,
                "Date": day(when),
                "Lieu": place,
                "Participants": rng.randint(6, 35),
                "Formateur·rices": [p["id"] for p in who],
                "Durée": rng.choice([2, 3, 3, 6, 6, 12]) * 3600,
            }
        )
    trainings.sort(key=lambda r: (r["Date"], r["id"]))
    for n, row in enumerate(trainings, start=1):
        row["id"] = n
    tables["Formations"]["rows"] = trainings

    # --- the tour: 100 towns over four months, in loop order ---
    by_town: dict[str, int] = {}
    for g in groups:
        by_town.setdefault(g["Ville"], g["id"])
    stage_towns = [t for t in TOWNS if t[0] not in {"Corte", "Bastia", "Ajaccio"}][:100]  # no ferry on the tour
    stages = []
    for n, (town, dep, _) in enumerate(stage_towns, start=1):
        when = TOUR_START + dt.timedelta(days=(n - 1) * (TOUR_DAYS - 1) // (len(stage_towns) - 1))
        host = by_town.get(town)
        row = {
            "id": n,
            "Ville": town,
            "Étape n°": n,
            "Date": day(when),
            "Département": dep,
            "Type d'étape": rng.choices([s for s, _ in STAGE_TYPES], [40, 30, 25, 5])[0],
            "Kilomètres depuis l'étape précédente": 0 if n == 1 else rng.randint(25, 95),
        }
        if host and rng.random() < 0.92:
            row["Groupe d'accueil"] = [host]
            row["Accueil confirmé"] = rng.random() < 0.85
        stages.append(row)
    tables["Étapes du tour"]["rows"] = stages

    # --- summer camp volunteers (60) ---
    volunteers = []
    for n in range(1, 61):
        name = person_name(rng, used_people)
        first = rng.randint(0, len(CAMP_DAYS) - 1)
        last = rng.randint(first, min(len(CAMP_DAYS) - 1, first + 4))
        row = {
            "id": n,
            "Nom": name,
            "E-mail": f"{ascii_slug(name)}@example.org",
            "Mission": rng.choice([m for m, _ in MISSIONS]),
            "Jours de présence": CAMP_DAYS[first : last + 1],
        }
        if rng.random() < 0.7:
            row["Groupe local"] = [rng.choice(living)["id"]]
        if rng.random() < 0.2:
            row["Remarques"] = rng.choice(
                [
                    "Végétarien·ne",
                    "Arrive en train, besoin d'une navette",
                    "Peut conduire le camion",
                    "Premiers secours (PSC1)",
                ]
            )
        volunteers.append(row)
    tables["Bénévoles du camp climat"]["rows"] = volunteers


def creation_rank(field: dict[str, Any]) -> int:
    """The installer makes the primary field, plain fields, links, then computed fields: listing them in
    that order (a stable sort) makes the installed field order, and an export, match the file."""
    if field.get("primary"):
        return 0
    return {"link_row": 2, "lookup": 3, "rollup": 3, "count": 3, "formula": 3}.get(field["type"], 1)


def template() -> dict[str, Any]:
    tables = schema()
    for table in tables:
        table["fields"].sort(key=creation_rank)
    rows({t["name"]: t for t in tables})
    return {
        "format": "nocodedb-template",
        "version": 1,
        "name": "Suivi du réseau Alternatiba / ANV-COP21",
        "description": (
            "Le suivi d'un réseau de groupes locaux pour le climat : groupes et référent·es par région, "
            "activités, mobilisations nationales et participations, formations, étapes d'un tour à vélo et "
            "bénévoles d'un camp climat. Données d'exemple fictives (villes réelles)."
        ),
        "language": "fr",
        "tables": tables,
    }


def render() -> str:
    return json.dumps(template(), ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed file is not up to date")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        same = args.output.exists() and args.output.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{args.output} is out of date: run {Path(__file__).name}")
        return 0 if same else 1
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
