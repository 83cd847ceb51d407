"""The organiser's dashboard (issue 11): aggregates, statistics, small-group suppression, SVG
charts, the generated narrative and the printable report of one consultation.

Plain modules do the work (`queries` reads, `stats` computes, `suppression` hides small cells,
`charts` draws, `narrative` writes, `dashboard` assembles); `views` only calls them.
"""
