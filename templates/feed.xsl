<?xml version="1.0" encoding="UTF-8"?>
<!--
  Makes the site's Atom and RSS feeds readable in a browser: each feed names
  this file in an xml-stylesheet instruction, and a browser that opens the
  feed shows this page instead of raw XML. Feed readers ignore it.
  Copied to the output folder as it is; put a feed.xsl in your templates
  folder to use your own.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:fh="http://purl.org/syndication/history/1.0"
    exclude-result-prefixes="atom fh">
<xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

<xsl:variable name="months" select="'JanFebMarAprMayJunJulAugSepOctNovDec'"/>

<xsl:template match="/">
  <xsl:variable name="feed" select="atom:feed | rss/channel"/>
  <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
  <xsl:variable name="about" select="atom:feed/atom:subtitle | rss/channel/description"/>
  <xsl:variable name="self" select="($feed/atom:link[@rel='self'])[1]/@href"/>
  <xsl:variable name="home" select="(atom:feed/atom:link[@rel='alternate'])[1]/@href | rss/channel/link"/>
  <html lang="{(atom:feed/@xml:lang | rss/channel/language)[1]}">
  <head>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1"/>
    <title><xsl:value-of select="$title"/> (web feed)</title>
    <style>
      :root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --accent: #0b57d0; --box: #f4f4f5; }
      @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --accent: #7cacf8; --box: #161b22; } }
      body { margin: 0 auto; max-width: 42rem; padding: 1rem; font: 1.0625rem/1.6 Georgia, "Times New Roman", serif; color: var(--fg); background: var(--bg); overflow-wrap: break-word; }
      a { color: var(--accent); }
      .about { font-family: system-ui, sans-serif; font-size: 0.95rem; background: var(--box); border-radius: 6px; padding: 0.75rem 1rem; }
      .about code { font-size: 0.9rem; user-select: all; }
      .meta, nav { font-family: system-ui, sans-serif; font-size: 0.85rem; color: var(--muted); }
      ol { list-style: none; padding: 0; }
      h2 { font-size: 1.2rem; margin-bottom: 0.2rem; }
    </style>
  </head>
  <body>
    <section class="about">
      <p><strong>This is a web feed</strong>, also known as an RSS or Atom feed. Feed readers check it for you and show
        new entries as they are published, with no account and no email address needed.</p>
      <p>To subscribe, copy this address into your feed reader:<br/><code><xsl:value-of select="$self"/></code></p>
      <xsl:if test="$feed/fh:archive">
        <p>This page is an <strong>archive</strong> of older entries; it never changes once full.
          The newest entries are in the <a href="{$feed/atom:link[@rel='current']/@href}">current feed</a>.</p>
      </xsl:if>
    </section>
    <h1><xsl:value-of select="$title"/></h1>
    <p><xsl:value-of select="$about"/></p>
    <p class="meta"><a href="{$home}">Visit the website →</a></p>
    <ol>
      <xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
    </ol>
    <nav>
      <xsl:if test="$feed/atom:link[@rel='prev-archive']">
        <a href="{$feed/atom:link[@rel='prev-archive']/@href}">← Older entries</a>
      </xsl:if>
      <xsl:text> </xsl:text>
      <xsl:if test="$feed/atom:link[@rel='next-archive']">
        <a href="{$feed/atom:link[@rel='next-archive']/@href}">Newer entries →</a>
      </xsl:if>
    </nav>
  </body>
  </html>
</xsl:template>

<xsl:template match="atom:entry">
  <xsl:variable name="date" select="atom:published | atom:updated[not(../atom:published)]"/>
  <li>
    <h2><a href="{atom:link[not(@rel) or @rel='alternate'][1]/@href}"><xsl:value-of select="atom:title"/></a></h2>
    <p class="meta">
      <time datetime="{$date}">
        <xsl:value-of select="number(substring($date, 9, 2))"/>
        <xsl:text> </xsl:text>
        <xsl:value-of select="substring($months, (number(substring($date, 6, 2)) - 1) * 3 + 1, 3)"/>
        <xsl:text> </xsl:text>
        <xsl:value-of select="substring($date, 1, 4)"/>
      </time>
      <xsl:for-each select="atom:author/atom:name">
        <xsl:choose><xsl:when test="position() = 1"> · </xsl:when><xsl:otherwise>, </xsl:otherwise></xsl:choose>
        <xsl:value-of select="."/>
      </xsl:for-each>
    </p>
    <p><xsl:value-of select="atom:summary"/></p>
  </li>
</xsl:template>

<xsl:template match="item">
  <li>
    <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
    <p class="meta">
      <time><xsl:value-of select="number(substring(pubDate, 6, 2))"/><xsl:text> </xsl:text><xsl:value-of select="substring(pubDate, 9, 8)"/></time>
      <xsl:for-each select="*[local-name()='creator']">
        <xsl:text> · </xsl:text><xsl:value-of select="."/>
      </xsl:for-each>
    </p>
    <!-- An RSS description is HTML (ours: an escaped plain-text summary), so it is written out unescaped. -->
    <p><xsl:value-of select="description" disable-output-escaping="yes"/></p>
  </li>
</xsl:template>
</xsl:stylesheet>
