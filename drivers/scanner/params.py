"""The page detector's settings (:func:`drivers.scanner.detect.detect_page`), each with what it
does: the defaults are the tuned ones (docs/design.md, "Document camera choices (issue 12)")."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.scanner.views import COOL, DIM, FAINT, GREEN, PALER, PINK, SMOOTH, WARM, View


@dataclass(frozen=True)
class DetectParams:
    work_width: int = 320
    """Longer side of the image the coarse search runs on."""
    min_area: float = 0.01
    """Smallest page considered, as a share of the frame (the quality gate is stricter)."""
    min_angle: float = 45.0
    """A candidate with an interior angle below this (degrees) is not a page."""
    min_support: float = 0.25
    """Below this product of side supports, nothing is reported."""
    contrast: float = 6.0
    """Grey levels by which paper must be brighter than what lies beyond its edge."""
    min_interior: float = 0.8
    """Share of a candidate's inside that must look like its paper for full credit."""
    max_rough: float = 6.0
    """Grey levels by which the paper just inside the sides may change from point to point
    (:func:`drivers.scanner.support.rim_roughness`) before it costs: at twice this it is a
    tablecloth's squares, not a page's margin."""
    min_paper_level: float = 60.0
    """Paper darker than this (whiteness, 0..255) is not paper but a grey object in the dark."""
    shortlist: int = 48
    """Candidates kept after a quick look for the closer one."""
    hypotheses: int = 3
    """Candidates refined and checked at full resolution."""
    refine: bool = True
    refine_samples: int = 40
    """Profiles taken along each side for the refinement."""
    refine_again: float = 2.0
    """When the plain view's page is cut off and its refinement gave up (two sides not found
    within reach: the coarse quad a few pixels off, one side under a hand), the refinement is
    tried once more reaching this many times as far; that page is taken if it is seen better
    and not cut off. Also when the coarse search's best quad lost to another once refined,
    seen much worse refined (under half its coarse support) than coarsely: it is refined once
    more reaching this far and taken if it then scores better. 0: not."""
    grow_sides: int = 3
    """A found quad grows out over paper to the page's edge (:mod:`drivers.scanner.grow`) when
    at least this many of its sides have paper beyond them (a certificate's printed border runs
    round all four); 0: never."""
    far_desk: float = 6.0
    """A side grow leaves where it is counts as on the page's edge when the desk beyond it is
    flat and darker than the paper, or this many of grow's steps darker whatever its pattern
    (a mottled stone desk; :mod:`drivers.scanner.grow`); 0: flat only."""
    bands: bool = True
    """A side along a band of colour printed to the page's edge moves out over the band
    (:mod:`drivers.scanner.band`)."""
    curled_bands: bool = True
    """A band's flank may be cut short by a curled corner (seen over its first third, the desk
    outside it unlike the band all along; :mod:`drivers.scanner.band`)."""
    concave: bool = True
    """When the plain view's page is not seen well, the search runs again on the quads of the
    bright regions' dented outlines (:func:`drivers.scanner.candidates.concave_candidates`: a
    page over another sheet) against the first search's quad."""
    concave_interior: float = 0.95
    """``min_interior`` of that second search: a quad spanning the page and the sheet beside
    or under it takes in some desk; the page alone is paper all over. Its page is also judged
    "cut off" when paper goes on past any side (not only those near the frame's edge) and
    the page's neighbouring sides carry on: the stricter inside can favour a part of a cut
    page bounded by a ruled line."""
    opened: int = 11
    """When the plain search's best is unsure (sides seen under ``confident``) or at the
    frame's edge, the bright regions' hull quads after an opening with a square this wide
    (search pixels) are scored apart: a page run into the light stripes of a cloth as bright
    as it (:func:`drivers.scanner.candidates.opened_candidates`). 0: not."""
    opened_larger: float = 1.5
    """Their best is taken only when it scores better than the search's own best and is at
    least this many times its area (a stripe or a part of the page had won)."""
    tinted: float = 0.5
    """The plain search's best, when it holds a rival scoring at least ``tinted_rival`` times
    as much with its sides seen better, loses in proportion to its sides' tint
    (:func:`drivers.scanner.tint.without_tinted`) when under this: a quad too large, two sides
    on a light-ground cloth's lines. 0: not looked at."""
    tinted_rival: float = 0.7
    """See ``tinted``."""
    concave_corner: float = 0.6
    """In that second search, a quad whose corner has less than this share of paper just
    inside it loses in proportion: a quad over the page and the sheet under it, joined by a
    line across the desk, has a corner on the desk. 0: not looked at."""
    upper: float = 0.6
    """That second search also takes the quads of the brightest regions' outlines
    (:func:`drivers.scanner.levels.upper_candidates`: Otsu's threshold again over what
    passed it) when what passed the first threshold is at least this share of the frame: a
    striped, dotted or checked cloth whose light ground passes as paper, merging every sheet
    with the cloth. 1: never."""
    fit_outlines: bool = True
    """Those two sources' quads are made also of the outlines' sides fitted to every pixel
    of the outline between its corners (:func:`drivers.scanner.candidates.outline_quads`),
    not only of the chords between the corners: a short side's chord is degrees off; and
    every four of the longest sides with the shorter of each sliver's (a hairpin) left
    out too."""
    edge_again: float = 0.5
    """A page found by that second search on a plain-view quad at the frame's edge is taken
    only if its coarse score is at least this share of that quad's; else the quad stays (and
    is refused as cut off): a page seen much worse than the quad is no better a guess."""
    facing: float = 0.25
    """A side faces the frame's edge closely (for "cut off") when its median distance to it is
    at most this share of the frame's longer side."""
    carry_on: bool = True
    """A side with paper beyond it moves out to where its neighbouring sides end
    (:mod:`drivers.scanner.sheets`: a page over another sheet, a part of it having won)."""
    carried_sure: bool = True
    """(Round 13) a page so carried ends the search (it is known) only when its sides are seen
    at least ``min_support``: below, the other views are searched as for any page seen that
    poorly. False: whatever it is seen (round 12)."""
    border_margin: float = 6.0
    """A corner closer than this (full-resolution pixels) to the frame edge touches it."""
    confident: float = 0.6
    """A page whose sides are seen at least this well (support) in the plain view is taken;
    below it the other views are tried too and the best page of all is kept."""
    fallback: tuple[View, ...] = (PALER, SMOOTH, WARM, COOL, FAINT, DIM, GREEN, PINK)
    """The other views (:mod:`drivers.scanner.views`), in order."""
    paler_below: float = 0.08
    """The paler part of the frame is split again (:data:`drivers.scanner.views.PALER`) only
    when the page found so far is none or under this share of the frame (one the quality gate
    refuses as too small): it costs a search, and it is for pages nothing followed."""
    cell_below: float = 0.08
    """On a pale, even frame (:func:`drivers.scanner.views.pale_even`) a page the plain view
    is sure of (``confident``) but taking less than this share of the frame (one the quality
    gate refuses as too small) is kept only when no other view finds a page holding it
    (:mod:`drivers.scanner.cell`: a table's cell on a white page on a light desk, whose own
    outline no contour followed); the other views are tried first, as for an unsure page.
    Not on other frames: a small page on a darker desk is common, and the other views cost
    it 90 ms (6 of the 99 speed frames). 0: a sure page is always taken."""
    pale_doubt: float = 0.45
    """On a pale, even frame (:func:`drivers.scanner.views.pale_even`) where no view is
    believed, the best page another view sees at least this well (support; under
    ``confident``), clear of the frame's edge, standing out and large enough, is taken: there
    the views' steps are a few levels, and a page found right had its four sides' shares
    multiply to 0.47-0.56 (tuning white on light 9004 #61, 9005 #66, #67). 1: never."""
    noisy_doubt: bool = True
    """A frame under heavy sensor noise (:func:`drivers.scanner.views.sensor_noisy`) is searched
    in the pale desk's views too, and a page seen at least ``pale_doubt`` there is doubted and
    taken as on a pale frame: the noise halves the steps the sides are seen by."""
    noisy_edges: bool = True
    """A frame under heavy sensor noise (:func:`drivers.scanner.views.sensor_noisy`) whose plain
    view's page is unsure (none, seen under ``confident``, or cut off) is searched again in the
    plain view with the coarse edge map blurred more (``denoised``), its page taken if it finds
    one: the grain's edges drown the page's sides at the usual blur. The other views search as
    before. A page found well pays nothing."""
    denoised: bool = False
    """Set by the detector (``noisy_edges``), not a setting: the coarse edge map is blurred as
    on a noisy frame (:data:`drivers.scanner.candidates.NOISY_BLUR`)."""
    cloth_radius: float = 14.0
    """When no view finds anything (or a scrap, see ``cloth_below``), the cloth view
    (:mod:`drivers.scanner.cloth`) is searched with the coloured marks closed over with a disc
    of this radius (pixels of the search image): a white page on a white-ground dotted or
    flowered cloth. 0: never."""
    cloth_below: float = 0.08
    """... or only a page under this share of the frame, not sure of (support under
    ``confident``): a scrap of the cloth's white ground."""
    cloth_doubt: float = 0.45
    """The cloth view's page, refined in the plain view, is taken when its sides are seen at
    least this well in the cloth view."""
    fallback_min_area: float = 0.05
    """Smallest page (share of the frame) another view may report: on an empty desk a blurred
    or colour view can find a small pale patch, which would be refused as "too small" where
    "no page" is the truth."""
    fallback_settled: float = 0.1
    """Another view's page ends the search when its score (area times support times inside,
    search image pixels) is at least this share of the search image; a smaller one is kept
    while the views after it are tried, and the best score wins."""
    cut_is_final: bool = True
    """A plain-view page with a corner at the frame's edge is final (it is refused as "cut
    off"): the other views are not tried on it. They cost most on just such frames (a page
    being slid in), where they could only find some smaller quad. Two searches may still
    replace its quad, each only by one that scores at least ``edge_again`` of it or is cut off
    too: the dented search (a page over a sheet running off the frame) and, under heavy sensor
    noise, the search made again on the blurred edge map (``noisy_edges``)."""
    stand_out: float = 3.0
    """Another view's page is believed only when on average its middle is at least this much
    brighter in that view than a ring around it (a patch of a dotted tablecloth is not); 0: not
    checked."""
    pale_median: bool = True
    """A page of a pale desk's view (faint, dim, green, pink) also stands out when the median
    of its middle does (:func:`drivers.scanner.support.median_stands_out`): its print can hold
    its mean down (round 9). False: the mean only."""
    far_cut: bool = True
    """The page reported is judged "cut off" also when paper runs on, unbroken, from a side
    further from the frame's edge than ``facing`` out to it, and its neighbouring sides carry
    on (:mod:`drivers.scanner.cutoff`): a cut page's part bounded by a printed rule."""
    each_desk: bool = True
    """In that last look, the desk is also read beyond each other side on its own (the middle
    one of the three), and every side is read, not only those far from the frame's edge: one
    other side may have paper beyond it (a certificate's margin past its printed frame), and
    all together they would pass for a desk as bright as the paper."""
    deep_margins: bool = True
    """In that last look (round 8), when all three other sides have paper beyond them (a
    certificate whose quad took its printed frame on three sides), the desk is read past
    where a margin would end (12 % of the quad's longer side, not its shorter, which the
    frame may cut short), the printed rule a side lies on is not taken for the desk, and a
    side with paper beyond it out to the frame's edge is left where it is, before the quad is
    read again with its sides moved out (tuning 9001 cut #91: refused only as blurred). The
    last three also when two other sides have a margin beyond them (False: round 7)."""
    flanked: bool = True
    """In that last look (round 8), a side far from the frame's edge is also cut off when the
    page's own paper runs on past it point by point at its own level, with ink, out to the
    frame's edge, read along rays between its flanks extended, on a desk darker by 1.5
    ``tolerance`` or more (the far check wants 3): a table sliced by the quad on a desk only
    15-20 levels darker than the paper (:func:`drivers.scanner.margins.between_flanks`)."""
    ink_beyond: bool = True
    """In that last look (round 9), a side is also cut off when the page's ink (strokes, with
    no dark stretch wider than a stroke) runs on past it out to the frame's edge while the desk
    beyond the other sides shows none: a texture reading, not a brightness one (a cut table on
    a striped cloth 19 levels darker than its paper, uneven under a lamp:
    :func:`drivers.scanner.margins.ink_runs_on`)."""
    printed_frame: bool = True
    """In that last look (round 9), when every side of the page is a printed rule with paper
    just beyond it (a frame printed inside a bigger sheet), the other sides are moved out to
    where the desk begins as far as the frame's edge, not only within a margin (12 % of the
    quad's longer side), before the quad is read again (tuning 9011 cut #181: a box printed on
    a page running off the frame, accepted:
    :func:`drivers.scanner.margins.printed_all_round`)."""
    along_edge: float = 2.0
    """In that last look (round 9), a page with a side whose both ends lie within this many
    search pixels of the same edge of the frame is cut off: its refinement stopped at the
    picture's border, a search pixel or so inside it, just past ``border_margin`` at a high
    resolution (tuning 9011 cut #220). The nearest side of a clear page to the frame's edge on
    the tuning seeds is 3.6 search pixels from it. 0: off."""
    stepped: bool = True
    """(Round 10) the strip check (``continues_to_border``) does not count a side where the
    picture steps at 8 of its 9 points (:func:`drivers.scanner.cutoff.stepped`): a clear
    page's own edge, read as its paper going on when, on a desk brighter than the paper, a
    frame printed just inside pulls the paper's reading down (the brightest just beyond a
    ``tolerance`` darker than the brightest just inside: tuning 9011 white on light #80, 9012
    mix #342), or when the desk shows right past a margin within the strip and on past it (a
    quad on a frame printed a few pixels inside a whole page: 9012 mix #175, #192)."""
    margin_desk: float = 4.0
    """(Round 12) nor a side where, at 8 of its 9 points, the desk (3 ``unit`` in a row nearer
    it than the paper, then dark for 6 ``unit`` more or to the frame's edge) begins no further
    than 2 pixels + this many ``unit`` from the side, at the same depth (within a ``unit``)
    all along the side
    (:func:`drivers.scanner.cutoff.stepped`): the paper just beyond is the page's own margin,
    wider than the strip (a quad on a frame printed inside a whole page, or a sliver short of
    it: tuning 9010 mix #195, #129). A cut form's box 6 ``unit`` past its rule (9010 cut-ruled
    #45) begins further out; a striped cloth at a different depth at each point (9014
    cut-ruled #88). 0: off."""
    paper_beside: bool = True
    """(Round 11) in the last look, the page reported is also cut off when paper 4
    ``tolerance`` brighter than its inside fills a region beside it, half its area or more,
    that runs off the frame (:func:`drivers.scanner.beside.paper_beside`): the page in view
    is cut off and the quad is a tablecloth's squares or a sticky note beside it (tuning 9004
    cut #34, 9002 cut #42, 9010 cut #76, 9012 cut #75, #76; refused only as blurred)."""
    own_paper: float = 0.5
    """(Round 11) in the strip check's reading stretch by stretch (``support._along``), a
    stretch also sees paper beyond when it is within this many ``tolerance`` of its own paper
    just inside: light falling off along the side (a lamp at one end) leaves the paper's 80th
    percentile for the whole side far from both ends (tuning 9001 cut #38, refused only as
    blurred). 0: off."""
    faint_ink: float = 2.5
    """(Round 11) in the last look's ink reading (``ink_beyond``), when no side's ink runs on
    with strokes 3 ``tolerance`` dark, it is read again with strokes this many ``tolerance``
    dark, beyond every side alike: a cut form on a pale striped cloth as bright as its paper,
    its quad on a column rule, the form's further rules faint coloured lines (20-23 levels in
    the whiteness view) that 4 of 9 rays cross at 3 (tuning 9015 cut-ruled #73: accepted).
    0: off."""
    band_off: bool = True
    """(Round 12) in the last look, a band of colour printed to the page's edge that runs on
    past a side out of the frame, never ending in view, makes the page cut off
    (:func:`drivers.scanner.band.runs_off_frame`: tuning 9016 cut #96, a grey band with text
    beyond the quad's side, 57 levels below the paper: accepted)."""
    other_view_floor: float = 0.45
    """Another view's search stops before the inside, rim and refinement checks when none of
    its shortlisted quads has its sides seen this well (coarse support): that view's page
    would not be believed (``confident``). On the tuning seeds 9001 and 9002 (800 scenes) it
    changed no result."""
    pale_floor: float = 0.3
    """(Round 12) that floor for the pale desk's views (faint, dim, green, pink), which the
    finer check reads across 3 pixels of the search image (``View.reading``): a white page on a
    light desk under a lamp, its sides seen 0.41 coarsely in the faint view and 0.62 by the
    finer check (tuning 9014 mix #162: no page). ``other_view_floor``: as before."""
    faint_again: bool = True
    """(Round 12) on a pale, even frame a colour view's page (warm, cool) seen under
    ``pale_doubt`` is read again by the faint view's finer check, the better reading counting
    (:mod:`drivers.scanner.pale`: a white page on a light desk whose sides show in colour on
    some sides and in brightness on others, tuning 9011 mix #250). False: not."""
    lamp: bool = True
    """(Round 12) on a pale, even frame where no view found anything (or only a sure quad too
    small to be a page: a table's cell, kept in case no view holds it), the lamp view
    (:data:`drivers.scanner.views.LAMP`: the frame divided by its light) is searched last, and
    its page taken as any pale view's: a white page on a light desk under a lamp's falloff
    (tuning 9013 mix #362, 9002 mix #270, 9014 white on light #68). False: not."""
    lamp_after: float = 0.02
    """(Round 13) the lamp view is searched only where the faint view (searched before it on
    every pale frame, on the same edges) saw some quad's sides at least this well (coarse
    support, the product of the four): under a lamp's falloff the page's sides on the lit side
    still show there (tuning 9013 mix #362 0.24, 9002 mix #270 0.61, 9014 white on light #68
    0.37), on an empty light desk nothing does (0.000-0.001 on six synthetic desks, where the
    lamp view cost 10-13 ms a frame). The product falls fast with the page's contrast while the
    lamp view still sees the page: 9013 mix #362 with its contrast cut to 0.8 reads 0.089 in
    the faint view and is found in the lamp view (a reviewer's finding against 0.1), hence a
    floor well below the scenes'. Where the faint view is not among the views searched, the
    lamp view is searched as in round 12. 0: always searched."""
    split_unions: bool = True
    """(Round 11) a page found not cut off but shaped as no sheet of paper is (sides in a
    ratio of 1.7 or more) is cut along a straight step across it into its larger part,
    when there is one (:mod:`drivers.scanner.split`: the page and the sheet under it, their
    outer sides in line, taken as one; tuning 9013 two-documents #131)."""
    split_at_edge: bool = True
    """(Round 12) the same for such a page found cut off, where the part kept is clear of the
    frame's edge (the sheet under the page running off the frame made the union cut off:
    tuning 9015 two-documents #66, 9014 #26). False: cut-off pages are not read."""
