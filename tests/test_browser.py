"""A reader's path through the site in a real browser (Debian's Chromium, headless, via Playwright).

Searches, reads an article with its words highlighted, switches its script, opens a city and an
initiative with their charts, and checks that no page scrolls sideways on a 375-px phone. Screenshots
of every page at desktop and phone width go to screenshots/ (git-ignored) for a person to look at.
"""

import importlib
import io
import os
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from archive.models import Article, City, Initiative

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install-dev)")

CHROMIUM = Path("/usr/bin/chromium")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),  # the live server reads committed data
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (Debian's chromium package)"),
]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module.

    Playwright's sync API runs an event loop in this thread, and Django refuses database calls from a
    thread with a running loop unless told they are safe here (they are: the calls are synchronous).
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server, search_index):
    """The fixture dumps imported (and indexed) behind a live server; its base URL.

    A transactional test empties the database after it, seeded initiatives included, so the seed
    migration's function puts them back first (it updates what is already there).
    """
    seed_migration = importlib.import_module("archive.migrations.0002_seed_initiatives")
    seed_migration.seed(django_apps, None)
    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    return live_server.url


def new_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(10_000)
    return context.new_page()


def test_a_reader_searches_reads_switches_script_and_browses(browser, site):
    page = new_page(browser, DESKTOP)
    page.goto(site + "/")
    page.get_by_role("searchbox", name="搜索文章").first.fill("路长制")
    page.get_by_role("searchbox", name="搜索文章").first.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert int(page.locator("#results-heading").inner_text().split()[0]) > 0

    page.locator("a.hit-title").first.click()
    page.wait_for_url("**/articles/*/?q=*")
    assert page.locator("h1 mark").first.inner_text() == "路长制"
    assert page.locator(".body mark").count() > 0

    traditional = Article.objects.get(script="traditional", title__contains="儋州")
    page.goto(site + traditional.get_absolute_url())
    assert "局長" in page.locator("h1").inner_text()
    page.get_by_role("link", name="以简体字阅读").click()
    page.wait_for_url("**script=simplified")
    assert "局长" in page.locator("h1").inner_text()
    assert "局長" not in page.locator(".body").inner_text()
    page.get_by_role("link", name="查看繁體原文").click()
    page.wait_for_url("**script=original")
    assert "局長" in page.locator("h1").inner_text()

    page.goto(site + "/cities/")
    page.get_by_role("link", name="三亚", exact=True).click()
    page.wait_for_url("**/cities/sanya/")
    assert page.locator("svg.chart-svg").is_visible()
    page.goto(site + "/initiatives/")
    page.get_by_role("link", name="路长制", exact=True).click()
    page.wait_for_url("**/initiatives/*/")
    chart = page.locator("svg.chart-svg").first
    assert chart.is_visible()
    assert chart.get_attribute("role") == "img"
    assert "篇" in chart.locator("desc").text_content()
    page.context.close()


def pages(site) -> dict[str, str]:
    article = Article.objects.get(title__contains="三亚")
    return {
        "home": "/",
        "search": "/search/?q=路长制",
        "article": article.get_absolute_url() + "?q=路长制",
        "article-traditional": Article.objects.get(script="traditional", title__contains="儋州").get_absolute_url(),
        "cities": "/cities/",
        "city": City.objects.get(slug="sanya").get_absolute_url(),
        "initiatives": "/initiatives/",
        "initiative": Initiative.objects.get(name="路长制").get_absolute_url(),
        "about": "/about/",
        "officials": "/officials/",
        "outlets": "/outlets/",
        "outlet": "/outlets/hainanribao/",
        "trends": "/trends/?q=路长制&q=警务",
        "trends-months": "/trends/?q=公安&by=month&from=2012-01&to=2019-12",
        "concordance": "/concordance/?q=路长制",
        "concordance-left": "/concordance/?q=警务&sort=left",
        "404": "/no/such/page/",
    }


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_page_fits_the_screen_and_is_photographed(browser, site, width):
    SCREENSHOTS.mkdir(exist_ok=True)
    viewport = PHONE if width == "phone" else DESKTOP
    page = new_page(browser, viewport)
    for name, path in pages(site).items():
        response = page.goto(site + path)
        assert response.status == (404 if name == "404" else 200), name
        assert page.evaluate("getComputedStyle(document.body).lineHeight") != "normal", "site.css is not applied"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.context.close()
