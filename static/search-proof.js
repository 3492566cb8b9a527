/* What the tiers fetched so far prove (search-engine.js asks): a term's papers come highest impact
 * first, so a paper not yet fetched scores at most the last one fetched (its bound). From that, each
 * paper's score is known or bounded, and the first k results are proven when no other paper can still
 * reach them: the threshold argument of WAND and block-max indexes, with sorted access only. The
 * evidence: per query group, its ways of matching as {weight, terms, lists}, a list being a term's
 * fetched papers {docs, at (paper -> score), bound}. No DOM, no fetching.
 */
(function (global) {
  "use strict";

  // The terms to fetch more of when the tiers here prove nothing yet: in each group, those of the ways
  // of matching that could still add the most (at least half the most any could), as a word's rarely
  // used completions seldom decide anything. Each round lowers a bound, so the rounds end.
  function blocking(evidence) {
    var terms = [];
    evidence.forEach(function (alts) {
      var open = alts.map(function (alt) {
        var bounds = alt.lists.map(function (list) { return list.bound; });
        var sum = bounds.reduce(function (a, b) { return a + b; }, 0);
        return bounds.some(function (b) { return b > 0; }) ? (sum / bounds.length) * alt.weight : 0;
      });
      var most = Math.max.apply(null, open);
      alts.forEach(function (alt, i) {
        if (!most || open[i] < most / 2) return;
        alt.terms.forEach(function (t, k) { if (alt.lists[k].bound > 0 && terms.indexOf(t) < 0) terms.push(t); });
      });
    });
    return terms;
  }

  // What a paper can score for a group: lo, its score from the papers here (0: not known to match);
  // hi, the most it can score once every tier is here (0: it cannot match). doc -1: a paper not here.
  function groupBounds(alts, doc) {
    var lo = 0, hi = 0;
    alts.forEach(function (alt) {
      var sum = 0, upper = 0, found = 0, possible = true, k = alt.lists.length;
      alt.lists.forEach(function (list, i) {
        var score = doc < 0 ? undefined : list.at.get(doc);
        if (score !== undefined) { found++; if (i < k - 1) sum += score; upper += score; return; }
        if (!list.bound) possible = false;
        upper += list.bound;
      });
      if (found === k) {
        var value = k > 1 ? (sum + alt.lists[k - 1].at.get(doc)) / k : sum + alt.lists[0].at.get(doc);
        lo = Math.max(lo, value * alt.weight);
      } else if (possible) hi = Math.max(hi, (upper / k) * alt.weight);
    });
    return { lo: lo, hi: Math.max(lo, hi) };
  }

  // What the lists fetched so far say of every paper in them and of a paper in none (unseen): see
  // paperBounds. known: the papers known to have every word, the best first.
  function weigh(evidence) {
    var seen = new Set(), docs = [];
    evidence.forEach(function (alts) {
      alts.forEach(function (alt) {
        alt.lists.forEach(function (list) {
          list.docs.forEach(function (doc) { if (!seen.has(doc)) { seen.add(doc); docs.push(doc); } });
        });
      });
    });
    var papers = docs.map(function (doc) { var p = paperBounds(evidence, doc); p.doc = doc; return p; });
    var known = papers.filter(function (p) { return p.known; });
    known.sort(function (a, b) { return b.lo - a.lo || a.doc - b.doc; });
    return { papers: papers, known: known, unseen: paperBounds(evidence, -1), proves: proves };
  }

  // Whether the first k known papers (among those filter keeps; all when null) are the first k of
  // the full evaluation: each with its score known, and no other paper, fetched or not, able to have
  // every word and reach the score of the last of them (ties: a known paper after it by number).
  function proves(k, filter) {
    var keep = filter || function () { return true; };
    var top = this.known.filter(keep).slice(0, k), last = top[k - 1], kept = new Set();
    if (!top.every(function (p) { return p.exact; })) return false;
    top.forEach(function (p) { kept.add(p.doc); });
    var floor = last ? last.lo : 0; // fewer than k: no other paper may have every word at all
    if (this.unseen.can && (!last || this.unseen.hi >= floor)) return false;
    return this.papers.every(function (p) {
      return kept.has(p.doc) || !keep(p) || !p.can || (last && (p.hi < floor ||
        (p.exact && p.known && p.lo === floor && p.doc > last.doc)));
    });
  }

  // A paper's bounds over every group (see groupBounds): known to have every word, can have them all,
  // its score so far (when known), the most it can score, and whether that is already its score.
  function paperBounds(alts, doc) {
    var p = { known: true, can: true, exact: true, lo: 0, hi: 0 };
    alts.forEach(function (group) {
      var b = groupBounds(group, doc);
      if (b.lo > 0) p.lo += b.lo; else p.known = false;
      if (!b.hi) p.can = false;
      if (b.hi > b.lo) p.exact = false;
      p.hi += b.hi;
    });
    return p;
  }

  global.sitegenSearchProof = { weigh: weigh, blocking: blocking };
})(self);
