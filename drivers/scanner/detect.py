"""Finding the page in a frame: candidate quadrilaterals on a small image, the best few refined
at full resolution and checked again, the best of those kept.

1. The frame is shrunk (area averaging) so that its longer side is ``work_width`` pixels (320).
2. Candidates come from :mod:`drivers.scanner.candidates` (contours, Hough lines, and contours
   of an even smaller image where patterned desks average out).
3. Each candidate is scored (:mod:`drivers.scanner.support`): its area, times the product of
   its four sides' *support* (the share of each side where paper meets something darker that
   stays darker), times how much of its inside is as bright as the paper along its sides. A quad
   that strays off the page on one side loses to the page itself, a corner hidden by a hand or
   glare costs only part of a side, and a quad spanning a patterned desk is not paper inside.
4. The ``hypotheses`` best distinct candidates are refined at full resolution
   (:mod:`drivers.scanner.refine`) and their sides scored again on an image twice as fine as the
   search image, where a printed border or a ruled line a few millimetres inside the page no
   longer passes for the page's edge; the best one is the page.
5. The plain view's page is grown past a frame printed inside its edges
   (:mod:`drivers.scanner.grow`), or else extended over a band of colour printed to its edge
   (:mod:`drivers.scanner.band`).
6. Cut off: a corner at the frame's edge, or paper running on past a side to the frame's edge
   (just beyond a side near it; for the page reported, also all the way from a side far from
   it: :mod:`drivers.scanner.cutoff`). Steps 5 and 6 are :mod:`drivers.scanner.finish`'s.

Corners are clockwise on screen from the one nearest the image's top-left, in pixels of the full
frame (pixel centres at integers, OpenCV's convention).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from drivers.scanner.candidates import (
    concave_candidates,
    contour_candidates,
    opened_candidates,
    zoomed_out_candidates,
)
from drivers.scanner.cell import holds
from drivers.scanner.cloth import on_cloth
from drivers.scanner.detection import Detection, as_frame, near_edge
from drivers.scanner.finish import beyond, cut_off_far, finish, grown_plain
from drivers.scanner.frames import Frames
from drivers.scanner.geometry import (
    convex_and_open,
    order_clockwise,
    quad_area,
    quad_areas,
    unique_quads,
)
from drivers.scanner.levels import paler_candidates, under_object_candidates, upper_candidates
from drivers.scanner.pale import faint_again
from drivers.scanner.params import DetectParams
from drivers.scanner.refine import refine_corners
from drivers.scanner.split import split_page
from drivers.scanner.support import (
    corner_share,
    interior_share,
    rim_roughness,
    seen_finely,
    side_support,
    stands_out,
)
from drivers.scanner.tint import without_tinted
from drivers.scanner.views import FAINT, LAMP, WHITE, View, whiteness


def _distinct(quads: np.ndarray, order: np.ndarray, count: int, apart: float) -> list[int]:
    picked: list[int] = []
    for i in order:
        if all(float(np.abs(quads[i] - quads[j]).max()) > apart for j in picked):
            picked.append(int(i))
            if len(picked) == count:
                break
    return picked


def detect_page(image: np.ndarray, params: DetectParams | None = None) -> Detection:
    """Find the page in a BGR (or grey) frame of any size."""
    p = params or DetectParams()
    frame = as_frame(image)
    h, w = frame.shape[:2]
    if min(w, h) < 16:
        return Detection(None, (w, h))
    scale = min(1.0, p.work_width / float(max(w, h)))
    fine_scale = min(1.0, 2.0 * scale)
    fine = _shrink(frame, fine_scale)
    small = _shrink(fine, scale / fine_scale)
    frames = Frames(frame, fine, small, scale, fine_scale, WHITE.paper(fine))
    page = split_page(frames, _page(frames, p), p)
    if p.cloth_radius > 0 and (page.corners is None or (  # nothing, or a scrap unsure of
            page.area_share < p.cloth_below and page.support < p.confident)):
        cloth = on_cloth(frames, p, _search)  # (drivers.scanner.cloth: the far
        if cloth is not None:  # cut-off check read in the cloth view)
            return cloth
    return cut_off_far(frames, page, p)


def _page(frames: Frames, p: DetectParams) -> Detection:
    """The page found by the searches (steps 2-6 of the module's notes)."""
    best = _search(frames, WHITE, p)
    if p.noisy_edges and not p.denoised and (best is None or best.detection.touches_border or (
            best.detection.support < p.confident and not best.carried)) and frames.noisy:
        # unsure under heavy noise: searched again with the grain's edges blurred away
        again = _search(frames, WHITE, replace(p, denoised=True))
        if again is not None and (best is None or not best.detection.touches_border
                                  or again.detection.touches_border
                                  or again.score >= p.edge_again * best.score):
            best = again  # a cut page's quad gives way only as cut_is_final's does (edge_again)
    cell: _Found | None = None  # a sure page too small to be one: kept if no view holds it
    if best is not None and (best.detection.support >= p.confident or best.carried):
        if best.detection.area_share >= p.cell_below or not frames.pale:
            return best.detection
        cell, best = best, None  # a table's cell on a white page (drivers.scanner.cell)
    if p.cut_is_final and best is not None and best.detection.touches_border:
        # final, unless the quad is a page and the sheet under it, the sheet running off the
        # frame: the page alone among the dented outlines' quads, clear of the frame's edge
        again = _dented_search(frames, best, p) if p.concave else None
        if (again is not None and not again.detection.touches_border
                and again.score >= p.edge_again * best.score):
            return again.detection
        return best.detection
    if p.concave and cell is None:  # unsure: a page over another sheet may be missing
        again = _dented_search(frames, best, p)
        if again is not None:  # its candidates include the first search's
            turned_cut = again.detection.touches_border and not (
                best is None or best.detection.touches_border)
            best = again
            if best.detection.support >= p.confident and not turned_cut:
                return best.detection  # (a page it turned cut off: the other views too)
    doubted: _Found | None = None  # a pale frame's page seen not quite well enough
    low_steps = frames.pale or (p.noisy_doubt and frames.noisy)  # (or a noisy frame's)
    for listed in (*p.fallback, LAMP) if p.lamp else p.fallback:
        if listed.falloff and (best is not None or doubted is not None or not frames.pale
                               or (FAINT in p.fallback
                                   and frames.seen_coarsely.get(FAINT.name, 0.0) < p.lamp_after)):
            continue  # the lamp view: on a pale, even frame where nothing (or a cell) was found
        if listed.paler and best is not None and best.detection.area_share >= p.paler_below:
            continue  # a page of some size was found already: the paler part is not split
        view = listed
        if listed.pale_only or listed.pale_reading:
            if listed.pale_only and not low_steps:
                continue
            view = listed.on(frames.pale, bool(listed.pale_reading) and frames.noisy)
        if listed.noisy_reading:  # under heavy sensor noise the view's sides read wider too
            view = listed.on(False, frames.noisy)
        found = _search(frames, view, p)
        if found is not None and listed.pale_reading and frames.pale:  # (drivers.scanner.pale)
            found = faint_again(frames, found, p)
        if (found is None or found.detection.support < min(p.confident, p.pale_doubt)
                or found.detection.area_share < p.fallback_min_area
                or (p.stand_out > 0
                    and not stands_out(frames.paper(view), found.coarse, p.stand_out,
                                       median=view.pale_only and p.pale_median))):
            continue  # another view is believed only when it sees the sides of a page well
        if found.detection.support < p.confident:  # on a pale, even frame: kept, doubted
            if (low_steps and not found.detection.touches_border
                    and (doubted is None or found.score > doubted.score)):
                doubted = found
            continue
        if best is None or found.score > best.score:
            best = replace(found, detection=grown_plain(frames, found.detection, p))
            if found.score >= p.fallback_settled * frames.small.shape[0] * frames.small.shape[1]:
                break  # else a later view may see more of the page (or the page)
    if doubted is not None and (best is None or (  # nothing better (or a page seen worse)
            p.noisy_doubt and best.detection.support < p.pale_doubt
            and doubted.score > best.score)):
        best = doubted
    if cell is not None and (best is None or not holds(best.detection.corners, cell.detection
                                                       .corners, p.border_margin)):
        best = cell
    h, w = frames.frame.shape[:2]
    return best.detection if best is not None else Detection(None, (w, h))


def _dented_search(f: Frames, best: _Found | None, p: DetectParams) -> _Found | None:
    """The plain view searched again on the dented outlines' quads (see ``concave``), the
    brightest regions' quads (see ``upper``) and the first search's best quad; None when
    there are none of the first two (one or two Otsu thresholds and their contours)."""
    sh, sw = f.small.shape[:2]
    white, limit = f.paper(WHITE), p.min_area * sw * sh
    dented = concave_candidates(white, limit, fit=p.fit_outlines)
    upper = (upper_candidates(white, limit, least=p.upper, fit=p.fit_outlines)
             if p.upper < 1.0 else [])
    if not dented and not upper:
        return None
    again = _search(f, WHITE, replace(p, min_interior=p.concave_interior, facing=1.0),
                    dented=(dented + upper, () if best is None else (best.coarse,)))
    if (again is not None and best is None and again.detection.support < p.min_support
            and not any(np.array_equal(again.coarse, q) for q in _rounded(dented))):
        return None  # an empty cloth's brightest patch, seen as nothing (9001 mix #59)
    return again


def _rounded(quads: list[np.ndarray] | np.ndarray) -> np.ndarray:
    """Quads as the search holds them (corners in order, to half a pixel)."""
    if not len(quads):
        return np.empty((0, 4, 2))
    return np.asarray(np.round(order_clockwise(np.asarray(quads).reshape(-1, 4, 2)) * 2) / 2)


@dataclass(frozen=True)
class _Found:
    score: float
    detection: Detection
    coarse: np.ndarray
    """The candidate it came from (search image pixels)."""
    carried: bool = False
    """Its side moved out to where its neighbouring sides end (:mod:`drivers.scanner.sheets`):
    the side over another sheet is barely seen, but the page is known. Not when the page so
    carried is seen under ``min_support`` (round 13, ``carried_sure``): it is then no surer
    than any page seen that poorly, and the other views are searched (tuning 9014 mix #154,
    a page moved on a white-ground cloth: the plain view's part of it, carried on, seen 0.11,
    was final; the smooth view sees the page 1.0)."""


def _search(f: Frames, view: View, p: DetectParams,
            dented: tuple[list[np.ndarray], tuple[np.ndarray, ...]] | None = None
            ) -> _Found | None:
    """The best page seen in one view of the frame (see the module's notes). With ``dented``
    (the second search's candidates, and the first search's best coarse quad or nothing),
    the candidates are those and that quad only."""
    h, w = f.frame.shape[:2]
    scale, fine_scale = f.scale, f.fine_scale
    white = f.paper(view)
    gray_small = f.gray_of(view)
    sh, sw = gray_small.shape
    limit = p.min_area * sw * sh
    if view.paler:  # the paler part's regions only (drivers.scanner.levels)
        found = paler_candidates(white, limit)
        if not found:
            return None
        stacks = [np.array(found).reshape(-1, 4, 2)]
    elif dented is not None:
        stacks = [np.array(dented[0] + list(dented[1])).reshape(-1, 4, 2)]
    else:
        edges, lines = f.edges(view, p.denoised)
        found = contour_candidates(white, edges, limit) + zoomed_out_candidates(
            f.small, white, limit, view=view, noisy=p.denoised)
        if view.warmth != 0:  # a colour view: a tinted object may hold the Otsu split
            found += under_object_candidates(white, limit)
        stacks = [np.array(found).reshape(-1, 4, 2), lines]
    scored = _scored(f, view, p, white, _usable(stacks, limit, p), dented)
    if dented is None and view.plain and not view.paler and p.opened > 0 and (
            scored is None or _unsure(scored, (sw, sh), p)):
        # a page run into a light-ground cloth's stripes (a hand or a pen over an edge):
        # looked for when the best is unsure or at the frame's edge, taken only where it
        # beats it and is larger by far (a stripe or a part of the page won)
        opened = _scored(f, view, p, white, _usable(
            [np.array(opened_candidates(white, limit, p.opened)).reshape(-1, 4, 2)], limit, p),
            None)
        if opened is not None and (scored is None or (
                float(opened[1].max()) > float(scored[1].max()) and quad_area(
                    opened[0][int(np.argmax(opened[1]))]) >= p.opened_larger * quad_area(
                    scored[0][int(np.argmax(scored[1]))]))):
            scored = opened
    if scored is None:
        return None
    if dented is None and view.plain and not view.paler and p.tinted > 0:
        scored = without_tinted(f.small, white, scored, p.tinted_rival, p.tinted)
    quads, score, support, inside = scored
    picked = _distinct(quads, np.argsort(-score), max(1, p.hypotheses), 2.0)
    if dented and dented[1] and float(np.abs(quads[picked[0]] - order_clockwise(dented[1][0])
                                             ).max()) <= 1.0:
        return None  # the first search's quad wins again: nothing new
    # only candidates within reach of the best are worth refining
    picked = [i for i in picked if score[i] >= 0.3 * score[picked[0]]]
    # float32 once (the picture every fine reading samples as float32; the same values)
    fine_white = f.fine_white32 if view.plain else np.asarray(f.paper(view, fine=True),
                                                              np.float32)
    if not p.refine:
        best = picked[0]
        return _Found(float(score[best]), finish(
            fine_white, (w, h), quads[best] / scale, quads[best], (sw, sh),
            float(support[best]), p), quads[best])
    if view.plain:
        gray, at = f.gray, 1.0
    else:  # the other views are refined on the finer search image (they are blurred anyway)
        gray, at = f.gray_of(view, fine=True).astype(np.float32), fine_scale
    results = []
    radius = max(3.0, 1.5 * at / scale)
    for i in picked:
        corners = refine_corners(gray, quads[i] / scale * at, radius=radius,
                                 samples=p.refine_samples)
        corners = order_clockwise(corners) / at
        check = seen_finely(fine_white, corners * fine_scale, p.contrast, view.readings)
        results.append((quad_area(corners) * check * inside[i], i, corners, float(check)))
    final, best, corners, check = max(results, key=lambda r: r[0])
    if final <= 0:
        best, corners, check = picked[0], quads[picked[0]] / scale, float(support[picked[0]])
    page = finish(fine_white, (w, h), corners, quads[best], (sw, sh), check, p)
    top = results[0]
    if (view.plain and (page.touches_border or dented is None) and best != top[1]
            and p.refine_again > 1.0 and top[3] < 0.5 * support[top[1]]
            and not near_edge(quads[top[1]], (sw, sh), 1.0)):
        # the coarse search's best lost, seen much worse once refined than coarsely (its
        # refinement gave up: a side not found within reach; the union of the page and the
        # sheet under it won): refined once more, reaching further, it is taken if it then
        # scores better and is not cut off. In the second search only against a page refused
        # as cut off.
        i = top[1]
        reached = order_clockwise(refine_corners(gray, quads[i] / scale, radius=p.refine_again
                                                 * radius, samples=p.refine_samples))
        seen = seen_finely(fine_white, reached * fine_scale, p.contrast, (1.0,))
        if quad_area(reached) * seen * inside[i] > final:
            other = finish(fine_white, (w, h), reached, quads[i], (sw, sh), seen, p)
            if not other.touches_border:
                final, best, corners, check = quad_area(reached) * seen * inside[i], i, \
                    reached, seen
                page = other
    if (view.plain and not near_edge(corners, (w, h), p.border_margin)
            and not near_edge(quads[best], (sw, sh), 1.0)):
        page, carried = beyond(f, gray, fine_white, page, quads[best], (sw, sh), p)
        if (p.refine_again > 1.0 and page.touches_border
                and np.allclose(corners, order_clockwise(quads[best] / scale))):
            # cut off as its refinement gave up (two sides not found within reach): once more,
            # reaching further; taken if better seen and then not cut off
            wider = order_clockwise(refine_corners(gray, quads[best] / scale, radius=p.refine_again
                                                   * radius, samples=p.refine_samples))
            seen = seen_finely(fine_white, wider * fine_scale, p.contrast, (1.0,))
            if quad_area(wider) * seen * inside[best] > final:
                again, more = beyond(f, gray, fine_white, finish(
                    fine_white, (w, h), wider, quads[best], (sw, sh), seen, p), quads[best],
                    (sw, sh), p)
                if not again.touches_border:
                    page, carried = again, more
        return _Found(_as_seen(score, best, results, corners, dented), page, quads[best],
                      carried and (page.support >= p.min_support or not p.carried_sure))
    return _Found(_as_seen(score, best, results, corners, dented), page, quads[best])


def _unsure(scored: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
            size: tuple[int, int], p: DetectParams) -> bool:
    """Whether the best of a shortlist (:func:`_scored`) has its sides seen less than
    ``confident`` or is at the frame's edge."""
    quads, score, support, _ = scored
    best = int(np.argmax(score))
    return bool(support[best] < p.confident or near_edge(quads[best], size, 1.0))


def _usable(stacks: list[np.ndarray], limit: float, p: DetectParams) -> np.ndarray:
    """The candidates of ``stacks`` as the search holds them, each once, large enough and
    convex and open."""
    quads = unique_quads(_rounded(np.concatenate(stacks, axis=0)))
    if len(quads):
        areas = quad_areas(quads)
        quads = quads[(areas >= limit) & convex_and_open(quads, p.min_angle)]
    return quads


def _scored(f: Frames, view: View, p: DetectParams, white: np.ndarray, quads: np.ndarray,
            dented: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The shortlist of ``quads`` and each one's score, support and inside (step 3 of the
    module's notes), or None when none scores."""
    if not len(quads):
        return None
    # a quick look (8 points a side) to keep the most promising few dozen, then a closer one
    rough = quad_areas(quads) * np.prod(
        side_support(white, quads, samples=8, contrast=p.contrast), axis=1)
    quads = quads[np.argsort(-rough)[: p.shortlist]]
    support = np.prod(side_support(white, quads, contrast=p.contrast), axis=1)
    f.seen_coarsely[view.name] = max(f.seen_coarsely.get(view.name, 0.0), float(support.max()))
    if (not view.plain or view.paler) and float(support.max()) < (
            p.pale_floor if view.pale_only else p.other_view_floor):  # (views.py: pale views)
        return None
    # the inside is read only where the sides are seen well enough to score (about a third
    # of the shortlist): the others score 0 whatever it is (each quad's reading is its own)
    seen = support >= p.min_support
    sq = quads[seen]
    share, level = (_scatter(seen, v) for v in interior_share(white, sq))
    plain = white if view.plain else whiteness(f.small)
    if not view.plain:
        level = _scatter(seen, interior_share(plain, sq)[1])
    rough = _scatter(seen, rim_roughness(plain, sq))
    inside = (
        np.clip(share / p.min_interior, 0.0, 1.0) ** 2
        * np.clip(1.0 - (rough - p.max_rough) / p.max_rough, 0.0, 1.0)
    )
    if dented is not None and p.concave_corner > 0:  # the page is paper in every corner
        inside = inside * np.clip(_scatter(seen, corner_share(white, sq, level[seen]))
                                  / p.concave_corner, 0.0, 1.0)
    valid = seen & (
        level >= max(p.min_paper_level, view.least_paper(plain)))
    score = np.where(valid, quad_areas(quads) * support * inside, 0.0)
    if not np.any(score > 0):
        return None
    return quads, score, support, inside


def _as_seen(score: np.ndarray, best: int, results: list[tuple[float, int, np.ndarray, float]],
             corners: np.ndarray, dented: object) -> float:
    """The coarse score of the page found: in the second search (``dented``), the best of the
    candidates refined to the same corners (within a pixel; the outline's chord and fitted
    quads of one page differ by a pixel or two coarsely, and whichever wins the refined
    check, the page is seen as well as the best of them: tuning 9006 two-documents #85)."""
    if dented is None:
        return float(score[best])
    return max([float(score[best])] + [float(score[i]) for _, i, c, _ in results
                                       if float(np.abs(c - corners).max()) <= 1.0])


def _scatter(seen: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` (one a quad of ``seen``) at their quads' places among all, 0 elsewhere (in
    their own dtype)."""
    out = np.zeros(len(seen), np.asarray(values).dtype)
    out[seen] = values
    return out


def _shrink(image: np.ndarray, factor: float) -> np.ndarray:
    if factor >= 1.0:
        return image
    h, w = image.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA))
