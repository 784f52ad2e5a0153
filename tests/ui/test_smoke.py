import os
from pathlib import Path

from playwright.sync_api import expect

# Screenshots go to test-results/ (git-ignored); NOCODEDB_UPDATE_SCREENSHOTS=1 refreshes docs/screenshots.
_ROOT = Path(__file__).resolve().parents[2]
SHOTS = _ROOT / ("docs/screenshots" if os.environ.get("NOCODEDB_UPDATE_SCREENSHOTS") else "test-results/screenshots")
SHOTS.mkdir(parents=True, exist_ok=True)


def test_sign_up_create_and_rename(page, base_url):
    page.goto("/")
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Nom").fill("Camille")
    page.get_by_label("Adresse e-mail").fill("camille-ui@example.org")
    page.get_by_label("Mot de passe").fill("correct horse battery")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "signup.png"))
    page.get_by_role("button", name="Créer mon compte").click()

    # empty state: what to do next
    expect(page.get_by_role("heading", name="Bienvenue !")).to_be_visible()
    page.get_by_role("button", name="Nouvel espace de travail").first.click()
    page.get_by_role("dialog").get_by_label("Nom").fill("Collectif vélo")
    page.get_by_role("dialog").get_by_role("button", name="Créer").click()
    expect(page.get_by_role("heading", name="Aucune base de données")).to_be_visible()
    page.get_by_role("main").get_by_role("button", name="Nouvelle base de données").click()
    page.get_by_role("dialog").get_by_label("Nom").fill("Adhésions")
    page.get_by_role("dialog").get_by_role("button", name="Créer").click()
    expect(page.get_by_role("heading", name="Aucune table")).to_be_visible()
    page.get_by_role("main").get_by_role("button", name="Nouvelle table").click()
    page.get_by_role("dialog").get_by_label("Nom").fill("Membres")
    page.get_by_role("dialog").get_by_role("button", name="Créer").click()
    expect(page.get_by_role("heading", name="Membres")).to_be_visible()
    expect(page.get_by_role("grid")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Name")).to_be_visible()

    # rename the table and the database
    page.get_by_role("button", name="Actions sur la table").click()
    page.get_by_role("menuitem", name="Renommer la table").click()
    page.get_by_role("dialog").get_by_label("Nom").fill("Adhérent·es")
    page.get_by_role("dialog").get_by_role("button", name="Renommer").click()
    expect(page.get_by_role("heading", name="Adhérent·es")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Adhérent·es")).to_be_visible()
    page.get_by_role("button", name="Renommer la base Adhésions").click()
    page.get_by_role("dialog").get_by_label("Nom").fill("Adhésions 2025")
    page.get_by_role("dialog").get_by_role("button", name="Renommer").click()
    expect(page.get_by_role("navigation").get_by_text("Adhésions 2025")).to_be_visible()

    # the rename survives a reload (it reached the server), and the session resumes
    page.reload()
    expect(page.get_by_role("heading", name="Adhérent·es")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    page.get_by_label("Adresse e-mail").fill("camille-ui@example.org")
    page.get_by_label("Mot de passe").fill("wrong password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".form-error")).to_contain_text("incorrect")
    page.get_by_label("Mot de passe").fill("correct horse battery")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Adhérent·es")).to_be_visible()
