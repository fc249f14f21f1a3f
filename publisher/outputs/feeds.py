"""Atom 1.0 and RSS 2.0 feed documents, written with feedgen; a plan in, bytes out, no I/O.

feedgen has traps this module steps around on purpose:
- feed dates default to "now", so a rebuild would change the feed: we set
  `updated`/`lastBuildDate` to the newest entry's `updated`;
- `add_entry()` prepends by default: we append, newest first;
- `description()` after `content()` would overwrite Atom content: we only use
  `summary()` and `content()`;
- RSS `<author>` must be an email address, so names go in `dc:creator`;
- the RSS channel `<link>` is whichever link was added last, so the page
  link is added after the self link;
- naive datetimes are rejected upstream (every Entry date is zone-aware).
What feedgen cannot say (RFC 5005 archive links and markers, the WebSub hub,
the `xml-stylesheet` instruction that makes a feed readable in a browser) is
added by `FeedHistory`, a feedgen extension, as XML elements; the RSS
Profile's character references are `RssProfile`'s: never by editing the
serialized text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.ext.dc import DcEntryExtension, DcExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..entry import Entry
from .feeditem import Chunks, FeedItem, ItemOf, PartOf, feed_item, xml_safe
from .feedplan import FeedDoc, Format, Kind
from .site import XSL, Site

GENERATOR = "publisher"
_RESERVED = re.compile("[&<]")
_RESERVED_HTML = re.compile("[&<>]")
"""What `html.escape(text, quote=False)` changes: a description without them is left as it is."""
FH = "http://purl.org/syndication/history/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
CLOSING = {Format.ATOM: b"</feed>\n", Format.RSS: b"  </channel>\n</rss>\n"}
"""How feedgen's pretty-printed documents end: the entries' parts go just before."""


class FeedHistory(BaseExtension):  # type: ignore[misc]
    """feedgen extension: `fh:complete`/`fh:archive`, extra `<link>`s, and the stylesheet instruction.

    In Atom the links are ordinary `<link>` elements; RSS 2.0 has no link
    relations of its own, so they become `atom:link` elements in the channel
    (RFC 5005, appendix B; the WebSub spec does the same for `hub`).
    """

    def __init__(self) -> None:
        self.marker: Kind | None = None
        self.links: list[tuple[str, str, str]] = []
        self.stylesheet = ""

    def extend_ns(self) -> dict[str, str]:
        return {"fh": FH}

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        self._decorate(feed, feed, "link")
        return feed

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        self._decorate(feed, feed.find("channel"), f"{{{ATOM_NS}}}link")
        return feed

    def _decorate(self, root: etree._Element, parent: etree._Element, link_tag: str) -> None:
        if self.marker is not None:
            etree.SubElement(parent, f"{{{FH}}}{self.marker.value}")
        for rel, href, media_type in self.links:
            link = etree.SubElement(parent, link_tag, href=href, rel=rel)
            if media_type:
                link.set("type", media_type)
        if self.stylesheet:
            instruction = f'type="text/xsl" href="{self.stylesheet}"'
            root.addprevious(etree.ProcessingInstruction("xml-stylesheet", instruction))


class RssProfile(BaseExtension):  # type: ignore[misc]
    """feedgen extension: "&" and "<" in RSS plain-text elements as `&#x26;` and `&#x3C;`.

    RSS never said whether a title is text or HTML, so readers guess; the RSS
    Advisory Board's profile (and the W3C validator's CharacterData rule)
    asks for hexadecimal character references there, which read the same
    either way: "Q&A: x <y" must not turn into a tag in a reader that guesses HTML.
    """

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        _plain_text(feed.find("channel"), ("title", "description", "category"))
        return feed


class RssProfileEntry(BaseEntryExtension):  # type: ignore[misc]
    """The same for each item's title and categories; its description is HTML, so the summary is escaped.

    Readers (and the validator) parse an item's description as HTML: a plain
    "AT&T" or "x <y" there is broken markup, while "AT&amp;T" reads as meant.
    """

    def extend_rss(self, item: etree._Element) -> etree._Element:
        _plain_text(item, ("title", "category"))
        description = item.find("description")
        if description is not None and description.text and _RESERVED_HTML.search(description.text):
            description.text = html.escape(description.text, quote=False)
        return item


EXTENSIONS: tuple[tuple[str, type[BaseExtension], type[BaseEntryExtension] | None, bool, bool], ...] = (
    ("dc", DcExtension, DcEntryExtension, False, True),
    ("history", FeedHistory, None, True, True),
    ("profile", RssProfile, RssProfileEntry, False, True),
)
"""(name, feed extension, entry extension, in Atom, in RSS) of every document and entry; registered by class,
since feedgen's `load_extension` first tries to import a module that does not exist, on every call."""


def _plain_text(parent: etree._Element, names: tuple[str, ...]) -> None:
    for name in names:
        for element in parent.findall(name):
            _character_references(element)


def _character_references(element: etree._Element) -> None:
    text = element.text or ""
    if not _RESERVED.search(text):  # most titles and tags: nothing to spell out, and no new text to set
        return
    parts = _RESERVED.split(text)
    element.text = parts[0]
    for char, part in zip(_RESERVED.findall(text), parts[1:], strict=True):
        reference = etree.Entity(f"#x{ord(char):X}")
        reference.tail = part
        element.append(reference)


@dataclass
class FeedEntries:
    """Each entry's feedgen entry, made once per build and used by every Atom and RSS document showing it."""

    item_of: ItemOf = feed_item
    made: dict[str, FeedEntry] = field(default_factory=dict)

    def __call__(self, entry: Entry) -> FeedEntry:
        made = self.made.get(entry.id)
        if made is None:
            made = self.made[entry.id] = _feed_entry(self.item_of(entry))
        return made


class EntryParts:
    """Serializes an entry's `<entry>` (Atom) or `<item>` (RSS) on its own, as a part of every document showing it.

    An entry shows in the site's feed, each of its tags' and its author's:
    serializing it once and joining the bytes into each document costs a
    fraction of building and serializing the element in every one of them.
    The part is serialized inside a root like feedgen's own (same
    namespaces, same depth), so with pretty printing it is byte for byte
    the text feedgen writes for it inside a whole document; feedgen adds
    entries after every other child of the feed (or channel), so they are
    joined in just before its closing tags (`CLOSING`).
    """

    def __init__(self, fmt: Format, entries: FeedEntries) -> None:
        self.fmt = fmt
        self.entries = entries
        self.root, self.parent = _entry_context(fmt)
        self.head, tail = _around(self.root, self.parent)
        if tail != CLOSING[fmt]:
            raise RuntimeError(f"feedgen's {fmt.name} documents no longer end as they did: {tail!r}")

    def __call__(self, entry: Entry) -> bytes:
        made = self.entries(entry)
        element = made.atom_entry() if self.fmt is Format.ATOM else made.rss_entry()
        self.parent.append(element)
        try:
            text = bytes(etree.tostring(self.root, pretty_print=True, encoding="UTF-8"))
        finally:
            self.parent.remove(element)
        return text[len(self.head) : len(text) - len(CLOSING[self.fmt])]


def _entry_context(fmt: Format) -> tuple[etree._Element, etree._Element]:
    """The root and parent element an entry has in feedgen's documents of `fmt` (see `_generator`)."""
    namespaces: dict[str, str] = {}
    for _, feed_extension, _, atom, rss in EXTENSIONS:
        if atom if fmt is Format.ATOM else rss:
            namespaces.update(feed_extension().extend_ns())
    if fmt is Format.ATOM:
        root = etree.Element("feed", xmlns=ATOM_NS, nsmap=namespaces)
        return root, root
    namespaces.update({"atom": ATOM_NS, "content": CONTENT_NS})
    root = etree.Element("rss", version="2.0", nsmap=namespaces)
    return root, etree.SubElement(root, "channel")


def _around(root: etree._Element, parent: etree._Element) -> tuple[bytes, bytes]:
    """The serialized text before and after a child of `parent` (told apart by a placeholder child)."""
    placeholder = etree.SubElement(parent, "placeholder")
    text = etree.tostring(root, pretty_print=True, encoding="UTF-8")
    parent.remove(placeholder)
    at = text.index(b"<placeholder/>\n")
    return text[: text.rindex(b"\n", 0, at) + 1], text[at + len(b"<placeholder/>\n") :]


def render_atom(doc: FeedDoc, site: Site, part_of: PartOf | None = None) -> Chunks:
    """The Atom document; `part_of` gives each entry's part (see `EntryParts`), shared by a build's documents."""
    skeleton = _generator(doc, site, Format.ATOM).atom_str(pretty=True)
    return _joined(skeleton, doc, part_of or EntryParts(Format.ATOM, FeedEntries()), Format.ATOM)


def render_rss(doc: FeedDoc, site: Site, part_of: PartOf | None = None) -> Chunks:
    """The RSS document; `part_of` as for `render_atom`."""
    skeleton = _generator(doc, site, Format.RSS).rss_str(pretty=True)
    return _joined(skeleton, doc, part_of or EntryParts(Format.RSS, FeedEntries()), Format.RSS)


def _joined(skeleton: bytes, doc: FeedDoc, part_of: PartOf, fmt: Format) -> Chunks:
    """The document feedgen wrote without entries, with the entries' parts in before its closing tags."""
    body = skeleton[: len(skeleton) - len(CLOSING[fmt])]
    return [body, *(part_of(entry) for entry in doc.entries), CLOSING[fmt]]


def stylesheet_href(path: str) -> str:
    """The stylesheet's URL relative to a feed at `path`, so it is same-origin wherever the site is served."""
    return "../" * path.count("/") + XSL


def _generator(doc: FeedDoc, site: Site, fmt: Format) -> FeedGenerator:
    """The document without its entries (`EntryParts` brings them)."""
    family = doc.family
    self_url = site.absolute(doc.path(fmt))
    fg = _extended(FeedGenerator())
    fg.id(site.absolute(doc.path(Format.ATOM, 0)))
    fg.title(xml_safe(family.title))
    fg.subtitle(xml_safe(family.description))
    fg.description(xml_safe(family.description))
    fg.language(site.language)
    fg.link(href=self_url, rel="self", type=fmt.media_type)
    fg.link(href=family.page_url, rel="alternate", type="text/html")
    fg.author(_person(site.author, site.author_email))
    fg.generator(GENERATOR)
    fg.updated(doc.updated)
    fg.pubDate(max((e.published for e in doc.entries), default=doc.updated))
    _history(fg.history, doc, site, fmt)
    return fg


def _extended(fg: FeedGenerator) -> FeedGenerator:
    """`fg` with the extensions every document of ours loads."""
    for name, feed_extension, entry_extension, atom, rss in EXTENSIONS:
        fg.register_extension(name, feed_extension, entry_extension, atom=atom, rss=rss)
    return fg


def _history(history: FeedHistory, doc: FeedDoc, site: Site, fmt: Format) -> None:
    history.stylesheet = stylesheet_href(doc.path(fmt))
    history.marker = doc.kind if doc.kind is not Kind.SUBSCRIPTION else None
    if site.hub and doc.kind is not Kind.ARCHIVE:
        history.links.append(("hub", site.hub, ""))
    if doc.kind is Kind.ARCHIVE:
        history.links.append(("current", site.absolute(doc.path(fmt, 0)), fmt.media_type))
    for rel, page in (("prev-archive", doc.prev_page), ("next-archive", doc.next_page)):
        if page:
            history.links.append((rel, site.absolute(doc.path(fmt, page)), fmt.media_type))


def _feed_entry(item: FeedItem) -> FeedEntry:
    """The entry with the extensions every document loads (so `add_entry` would leave them as they are)."""
    fe = FeedEntry()
    for name, _, entry_extension, atom, rss in EXTENSIONS:
        if entry_extension:
            fe.register_extension(name, entry_extension, atom=atom, rss=rss)
    fe.id(item.id)
    fe.guid(item.id, permalink=False)
    fe.title(item.title)
    fe.link(href=item.url, rel="alternate", type="text/html")
    fe.published(item.published)
    fe.updated(item.distinct_updated)
    for name in item.authors:
        fe.author({"name": name})
    if item.byline:
        fe.dc.dc_creator(item.byline)
    fe.summary(item.summary)
    if item.content_html is not None:
        fe.content(item.content_html, type="html")
    for tag in item.tags:
        fe.category(term=tag)
    return fe


def _person(name: str, email: str) -> dict[str, str]:
    return {"name": xml_safe(name), "email": email} if email else {"name": xml_safe(name)}
