"""References to one article in the formats reference managers and Chinese journals take.

Pure: the article page and the exports hand in a `Citable` (plain data); nothing here knows Django.
Formats: RIS, BibTeX, CSL-JSON (what Zotero, EndNote and citation processors read) and a
GB/T 7714-2015 reference to copy.
"""

import json
import re
from dataclasses import dataclass
from datetime import date

ARCHIVE_NAME = "警务实践文章档案"

# Kinds of source, as CSL names them: a news report, a forum or blog post, any other web page.
NEWS, POST, WEBPAGE = "article-newspaper", "post", "webpage"
_NEWSPAPER_RE = re.compile(r"(报|报社|日报|晚报|周刊|导报)$")
_NEWS_OUTLET_RE = re.compile(r"(报|报社|通讯社|新闻社|新华社|中新社|新闻|网|台|在线|频道|周刊|导报)$")
_POST_OUTLET_RE = re.compile(r"(论坛|社区|博客|微博|贴吧|blog|bbs)", re.IGNORECASE)


@dataclass(frozen=True)
class Citable:
    article_id: int
    title: str
    authors: tuple[str, ...]
    outlet: str
    published_on: date | None
    estimated_year: int | None  # when the text states no date (see ingest.dates)
    estimated_month: int | None
    url: str  # the article's permalink
    accessed: date
    sha256: str  # of the original file, so a reader can check the copy cited is the one kept
    version: int  # of the archive's text (re-imports keep earlier ones)
    is_post: bool  # a forum thread or a blog post
    language: str = "zh-CN"

    @property
    def kind(self) -> str:
        if self.is_post or _POST_OUTLET_RE.search(self.outlet):
            return POST
        return NEWS if _NEWS_OUTLET_RE.search(self.outlet) else WEBPAGE

    @property
    def is_newspaper(self) -> bool:
        return self.kind == NEWS and bool(_NEWSPAPER_RE.search(self.outlet))

    @property
    def estimated(self) -> bool:
        return self.published_on is None and self.estimated_year is not None

    def date_parts(self) -> list[int]:
        if self.published_on:
            return [self.published_on.year, self.published_on.month, self.published_on.day]
        if self.estimated_year:
            return [self.estimated_year, *([self.estimated_month] if self.estimated_month else [])]
        return []

    def iso_date(self) -> str:
        """2013-11-22, 2013-06 or 2013; empty when neither stated nor estimated."""
        return "-".join(f"{part:02d}" if number else str(part) for number, part in enumerate(self.date_parts()))

    def note(self) -> str:
        parts = [f"{ARCHIVE_NAME} #{self.article_id}, 第 {self.version} 版文本", f"原始文件 SHA-256: {self.sha256}"]
        if self.estimated:
            parts.insert(0, f"日期为推断（约 {self.iso_date()}），原文未载明")
        return "; ".join(parts)

    def key(self) -> str:
        year = self.date_parts()[0] if self.date_parts() else "nd"
        return f"archive{self.article_id}_{year}"


def ris(item: Citable) -> str:
    """RIS (Research Information Systems), one record; lines end CRLF as the format asks."""
    kind = {NEWS: "NEWS", POST: "BLOG", WEBPAGE: "ELEC"}[item.kind]
    lines = [("TY", kind), ("TI", item.title)]
    lines += [("AU", author) for author in item.authors]
    if item.outlet:
        lines.append(("T2", item.outlet))
    if parts := item.date_parts():
        # RIS dates are YYYY/MM/DD/ with empty parts left blank.
        padded = [str(parts[0]), *(f"{part:02d}" for part in parts[1:])]
        lines.append(("DA", "/".join(padded + [""] * (3 - len(padded))) + "/"))
        lines.append(("PY", str(parts[0])))
    lines += [("UR", item.url), ("Y2", item.accessed.isoformat()), ("DB", ARCHIVE_NAME), ("LA", item.language),
              ("N1", item.note()), ("ID", item.key()), ("ER", "")]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


_BIBTEX_SPECIAL_RE = re.compile(r"([\\{}%&$#_^~])")


def _bibtex_value(text: str) -> str:
    return _BIBTEX_SPECIAL_RE.sub(lambda match: "\\" + match.group(1) if match.group(1) not in "\\^~" else
                                  {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}[match.group(1)], text)


def bibtex(item: Citable) -> str:
    """A BibTeX entry (biblatex field names where BibTeX has none: urldate)."""
    entry_type = {NEWS: "article", POST: "online", WEBPAGE: "online"}[item.kind]
    fields = [("title", "{" + item.title + "}")]  # braced: keep the title as it is written
    if item.authors:
        fields.append(("author", " and ".join("{" + author + "}" for author in item.authors)))
    if item.outlet:
        fields.append(("journal" if entry_type == "article" else "organization", item.outlet))
    parts = item.date_parts()
    if parts:
        fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", str(parts[1])))
        if not item.estimated:
            fields.append(("date", item.iso_date()))
    fields += [("url", item.url), ("urldate", item.accessed.isoformat()), ("langid", "chinese"),
               ("note", item.note())]
    body = ",\n".join(f"  {name} = {{{_bibtex_value(value) if name not in ('title', 'author', 'url') else value}}}"
                      for name, value in fields)
    return f"@{entry_type}{{{item.key()},\n{body}\n}}\n"


def csl_json(item: Citable) -> dict:
    """One CSL-JSON item (the format of citeproc and Zotero)."""
    record = {
        "id": item.key(),
        "type": item.kind,
        "title": item.title,
        "URL": item.url,
        "accessed": {"date-parts": [[item.accessed.year, item.accessed.month, item.accessed.day]]},
        "archive": ARCHIVE_NAME,
        "language": item.language,
        "note": item.note(),
    }
    if item.authors:
        record["author"] = [{"literal": author} for author in item.authors]
    if item.outlet:
        record["container-title"] = item.outlet
    if parts := item.date_parts():
        record["issued"] = {"date-parts": [parts], **({"circa": True} if item.estimated else {})}
    return record


def csl_json_text(items: list[Citable]) -> str:
    return json.dumps([csl_json(item) for item in items], ensure_ascii=False, indent=2)


def _gbt_authors(authors: tuple[str, ...]) -> str:
    """GB/T 7714-2015 8.1.2: up to three responsible persons, then 等."""
    shown = ", ".join(authors[:3])
    return shown + (", 等" if len(authors) > 3 else "")


def gbt7714(item: Citable) -> str:
    """A GB/T 7714-2015 reference: [N] for a newspaper article, [EB/OL] for anything read on the web.

    Following the standard's own examples:
      丁文祥. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15).
      萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. http://www.creader.com/news/....
    An estimated date is bracketed with 约 and a question mark, as the standard does for inferred dates.
    """
    when = item.iso_date()
    if item.estimated:
        when = f"[约{when}?]"
    if item.is_newspaper and item.published_on:
        responsible = f"{_gbt_authors(item.authors)}. " if item.authors else ""
        return f"{responsible}{item.title}[N]. {item.outlet}, {when}."
    responsible = _gbt_authors(item.authors) if item.authors else item.outlet
    head = f"{responsible}. " if responsible else ""
    dated = f"({when})" if when else ""
    return f"{head}{item.title}[EB/OL]. {dated}[{item.accessed.isoformat()}]. {item.url}."
