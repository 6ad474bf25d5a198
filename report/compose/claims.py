"""The claims register in the briefing: one table of verdicts, and schema.org ClaimReview
objects for the HTML page's JSON-LD."""

from __future__ import annotations

from ..compare import Comparison
from ..escape import Md, citation, escape
from ..load.brief import Brief
from ..model.claims import ClaimsFile, key_of
from .tables import Cell, Table, Tables


def claims_table(claims: ClaimsFile, tables: Tables) -> Table:
    """One row per claim: who made it and the quote, the verdict, and why, with evidence."""
    t = tables.t
    rows = []
    for claim in claims.claims:
        quote = t("quote.join").join(q for q in (claim.quote.zh, claim.quote.en) if q)
        said = Md(f"{escape(claim.claimant.who)}: “{escape(quote)}” "
                  f"{citation([key_of(claim.claimant.source)])}")
        evidence = " ".join(f"{escape(ev.text)} {citation(key_of(k) for k in ev.cite)}"
                            for ev in claim.evidence)
        why = Md(f"{escape(claim.reason)} {escape(t('claims.evidence'))} {evidence}")
        rows.append((Cell(said), Cell(Md(f"**{escape(t(f'verdict.{claim.verdict.value}'))}**")),
                     Cell(why)))
    return Table("tbl-claims", t("table.claims.caption"),
                 tuple(t(f"table.claims.col.{k}") for k in ("claim", "verdict", "why")),
                 (36, 15, 49), tuple(rows))  # "contradicted" in bold fits a Word cell


def claim_reviews(claims: ClaimsFile, brief: Brief | None, c: Comparison) -> list[dict]:
    """Return the register as schema.org ClaimReview objects, for the HTML's JSON-LD."""
    sources = c.sources()
    author = {"@type": "Organization", "name": brief.meta.organisation or brief.meta.author} \
        if brief else {"@type": "Organization", "name": "report"}
    reviews = []
    for claim in claims.claims:
        where = sources.get(key_of(claim.claimant.source))
        appearance = {"@type": "CreativeWork", "headline": where.title if where else ""}
        if where is not None and where.url:
            appearance["url"] = where.url
        if where is not None and where.date:
            appearance["datePublished"] = str(where.date)
        rating = {"@type": "Rating", "alternateName": claim.verdict.value}
        if claim.verdict.rating:
            rating.update(ratingValue=claim.verdict.rating, bestRating=5, worstRating=1)
        review = {
            "@context": "https://schema.org", "@type": "ClaimReview",
            "claimReviewed": claim.quote.en or claim.quote.zh,
            "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization",
                                                          "name": claim.claimant.who},
                             "appearance": appearance},
            "reviewRating": rating, "reviewBody": claim.reason, "author": author,
        }
        if brief is not None:
            review["datePublished"] = str(brief.meta.date)
        reviews.append(review)
    return reviews
