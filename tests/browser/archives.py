"""What the two archive pages' browser tests share ("My data" and a community's backup): ask for the archive, wait
for its link, download it once, and find the link gone afterwards."""

import zipfile

from playwright.sync_api import Page, expect


def prepare_and_download(page: Page, t, button: str) -> zipfile.ZipFile:
    """Press ``button`` (its English text) to prepare the archive, wait for its link, and download it."""
    page.get_by_role("button", name=t(button)).click()
    link = page.get_by_role("link", name=t("Download the archive"))
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    return zipfile.ZipFile(download.value.path())


def expect_downloaded_once(page: Page, t) -> None:
    """The page, loaded again, offers the archive no more and says it was downloaded."""
    expect(page.get_by_role("link", name=t("Download the archive"))).to_have_count(0)
    expect(page.get_by_text(t("Downloaded"))).to_be_visible()
