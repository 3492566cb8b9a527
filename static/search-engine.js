/* The search engine: the sharded index (sitegen/search.py) fetched piece by piece as queries need it, and
 * the papers ranked by their impacts (lunr's BM25 scores, computed at build time). Runs in the Web Worker
 * (search-worker.js) when the site is served over http(s), and on the page itself when it is opened from
 * disk. Needs lunr.js, search-text.js, search-store.js, search-query.js (which reads the query into
 * groups of alternatives) and search-proof.js (what the tiers fetched so far prove); no DOM.
 *
 * Every word must match (AND); when fewer than FEW papers have them all, the papers with most of them
 * follow, and the result says so. A quoted phrase must appear, on terms, in the title or the abstract
 * (fetched for the candidates only).
 *
 * A term's papers come in tiers, highest impact first; a paper not yet fetched scores at most the last
 * fetched one. A query is ranked on the tiers here; when that proves the papers asked for (no paper
 * could still overtake the last of them: the threshold argument of WAND and block-max indexes), it
 * stops, and counts are estimates; otherwise the next tiers are fetched, down to every paper of every
 * term (phrases and few-match fallbacks always go that far), where the ranking is the full one.
 *
 * Every question the engine asks of the index is answered from the pieces already here, or noted as
 * missing; a request is worked out again once the missing pieces have arrived, until nothing is
 * missing. So the same query gives the same answer whether the index came in one piece or in many.
 */
(function (global) {
  "use strict";

  var T = global.sitegenSearchText, Q = global.sitegenSearchQuery, Store = global.sitegenSearchStore;
  var P = global.sitegenSearchProof;
  var term = T.term, tokens = T.tokens, parse = Q.parse;
  var FEW = 10; // fewer AND results than a screenful: papers with most of the words follow
  var PHRASE_CHECKS = 60; // papers whose abstract a quoted phrase is looked for in: three pages' worth
  var EXACT_BONUS = 1e6;
  // The hits an exact title is looked for among (their titles fetched): a title equal to the query has
  // every word of it in the title (boosted), so it is among the first few; as many as the header's
  // dropdown and a keystroke show, so that looking fetches no title beyond theirs.
  var EXACT_AMONG = 8;
  var NONE = { docs: [], scores: [], at: new Map(), bound: 0 };

  /* ---------- the engine ---------- */

  function Engine(store) {
    this.store = store;
    this.reader = new Q.Reader(store);
    this.n = store.count;
    this.themes = store.themes;
    this.scored = new Map(); // term -> its papers fetched so far (see posting)
    this.titles = new Map(); // paper -> its title normalised
    this.acronyms = store.acronyms;
    this.shortOf = new Map(); // long form's terms, joined -> the short form's term
    Object.keys(this.acronyms).forEach(function (short) { this.shortOf.set(this.acronyms[short].join(" "), term(short)); }, this);
  }

  // Term t's papers fetched so far, in impact order: docs, their scores, at (paper -> score), and
  // bound: the most an unfetched paper can score (0 once every tier is here). Null while missing.
  Engine.prototype.posting = function (t) {
    var p = this.scored.get(t);
    if (p) return p;
    var head = this.store.postings(t);
    if (head === undefined) return null;
    p = { levels: [], docs: [], scores: [], at: new Map(), later: head ? head.later : [], depth: 0, bound: 0 };
    if (head) this.extend(p, head.first);
    this.scored.set(t, p);
    return p;
  };

  Engine.prototype.extend = function (p, encoded) {
    var from = p.docs.length, floor = this.store.impact.floor, step = this.store.impact.step;
    Store.decodeTier(encoded, p.levels, p.docs);
    for (var j = from; j < p.docs.length; j++) {
      var score = floor * Math.pow(step, p.levels[j]);
      p.scores.push(score);
      p.at.set(p.docs[j], score);
    }
    p.bound = p.depth < p.later.length ? p.scores[p.scores.length - 1] : 0;
  };

  // Add term t's next tier when it is here (true), else note it missing (false).
  Engine.prototype.deepen = function (t) {
    var p = this.scored.get(t);
    if (!p || p.depth >= p.later.length) return false;
    var encoded = this.store.tier(t, p.later, p.depth);
    if (encoded === undefined) return false;
    p.depth++;
    this.extend(p, encoded);
    return true;
  };

  Engine.prototype.title = function (doc) {
    var record = this.store.record("docs", doc);
    return record && record[0];
  };

  Engine.prototype.normalisedTitle = function (doc) {
    if (!this.titles.has(doc)) {
      var title = this.title(doc);
      if (title === undefined) return undefined;
      this.titles.set(doc, T.normalise(title));
    }
    return this.titles.get(doc);
  };

  // Per paper, the best weighted score among a word's ways of matching (an alternative of several
  // terms counts where all of them are), and the weight of that match for coverage.
  Engine.prototype.scoreGroup = function (group, touch) {
    var n = this.n, best = new Float64Array(n), cover = new Float64Array(n), self = this;
    group.alts.forEach(function (alt) {
      var lists = alt.terms.map(function (t) { return self.posting(t) || NONE; });
      var idf = Math.min.apply(null, alt.terms.map(function (t) { return self.reader.idf(t); }));
      var count = lists.length > 1 ? new Uint8Array(n) : null, sum = lists.length > 1 ? new Float64Array(n) : null;
      lists.forEach(function (list, k) {
        for (var j = 0; j < list.docs.length; j++) {
          var doc = list.docs[j], value = list.scores[j];
          if (count) {
            if (++count[doc] < lists.length) { sum[doc] += value; continue; }
            value = (sum[doc] + value) / lists.length;
            if (k !== lists.length - 1) continue;
          }
          value *= alt.weight;
          if (value > best[doc]) best[doc] = value;
          if (alt.weight * idf > cover[doc]) cover[doc] = alt.weight * idf;
          touch(doc);
        }
      });
    });
    return { best: best, cover: cover };
  };

  // Run the query: every paper with any of the query's words is scored per word by its best way of
  // matching it (a word counts once however many of its forms a paper has), and put in a tier: 0 has
  // every word and phrase, 1 every word, 2 some words (ranked by how many, the rarer words counting
  // more). Tiers 1 and 2 are kept only when tier 0 has fewer than FEW papers.

  // The query's terms, each once.
  function queryTerms(groups) {
    var terms = [];
    groups.forEach(function (g) {
      g.alts.forEach(function (alt) { alt.terms.forEach(function (t) { if (terms.indexOf(t) < 0) terms.push(t); }); });
    });
    return terms;
  }

  // Run the query: ranked on the tiers here while they prove the first `need` hits (in the theme
  // numbered `theme`, when not null), else on every paper of every term (see rank). Provisional while
  // a piece is missing. quick (a keystroke while typing goes on): no later tier is fetched; what the
  // first tiers do not prove is ranked on them (rank), counts estimated, and marked provisional.
  Engine.prototype.search = function (raw, need, theme, quick) {
    var parsed = parse(raw), g = this.reader.groups(parsed), groups = g.groups, self = this;
    var result = { raw: raw, hits: [], groups: groups, missing: g.missing, phrases: parsed.phrases, estimate: null };
    if (!groups.length) return result;
    var terms = queryTerms(groups);
    for (;;) {
      if (terms.some(function (t) { return self.posting(t) === null; })) return this.rank(parsed, groups, result);
      var open = terms.filter(function (t) { return self.scored.get(t).bound > 0; });
      if (!open.length) return this.rank(parsed, groups, result);
      if (!parsed.phrases.length && this.prove(parsed, groups, result, need || 0, theme === undefined ? null : theme)) return result;
      if (quick) return this.provisional(parsed, groups, result);
      var deeper = 0;
      P.blocking(this.evidence(groups)).forEach(function (t) { if (self.deepen(t)) deeper++; });
      if (!deeper) return this.rank(parsed, groups, result);
    }
  };

  Engine.prototype.provisional = function (parsed, groups, result) {
    this.rank(parsed, groups, result);
    result.provisional = true;
    result.estimate = this.estimate(groups, result.hits.length);
    return result;
  };

  // Each group's ways of matching with the lists of their terms fetched so far (see search-proof.js).
  Engine.prototype.evidence = function (groups) {
    var self = this;
    return groups.map(function (g) {
      return g.alts.map(function (alt) {
        return { weight: alt.weight, terms: alt.terms, lists: alt.terms.map(function (t) { return self.scored.get(t); }) };
      });
    });
  };

  // Whether the tiers here prove the hits asked for: the first EXACT_AMONG overall (where an exact
  // title is looked for) and the first `need` in the theme (see search-proof.js). Then the hits are the
  // papers known to have every word (the first ones proven, the rest as known so far).
  Engine.prototype.prove = function (parsed, groups, result, need, theme) {
    var themeOf = this.store.themeOf, proof = P.weigh(this.evidence(groups));
    function inTheme(p) { return themeOf[p.doc] === theme; }
    if (proof.known.length < FEW || !proof.proves(theme === null ? Math.max(EXACT_AMONG, need) : EXACT_AMONG, null)) return false;
    if (theme !== null && !proof.proves(need, inTheme)) return false;
    result.hits = proof.known.map(function (p) {
      return { doc: p.doc, tier: 0, covered: groups.length, coverage: 0, score: p.lo, exact: false };
    });
    result.estimate = this.estimate(groups, proof.known.length);
    this.exactFirst(result, parsed);
    return true;
  };

  // About how many papers have every word, were the words independent: the papers times each word's
  // share of them (by its commonest way of matching). At least the papers known to have them all.
  Engine.prototype.estimate = function (groups, known) {
    var n = this.n, reader = this.reader, share = 1;
    groups.forEach(function (g) {
      var most = 0;
      g.alts.forEach(function (alt) {
        most = Math.max(most, Math.min.apply(null, alt.terms.map(function (t) { return reader.df(t); })));
      });
      share *= most / n;
    });
    return Math.max(known, Math.round(n * share));
  };

  function order(a, b) {
    return a.tier - b.tier || (a.tier === 2 ? b.covered - a.covered || b.coverage - a.coverage : 0) ||
      !!a.unchecked - !!b.unchecked || b.score - a.score || a.doc - b.doc;
  }

  // A title equal to the query comes first. It has every word in its title (boosted), so it is among
  // the best-scored complete hits: only those are compared.
  Engine.prototype.exactFirst = function (result, parsed) {
    var exact = false, self = this;
    result.hits.slice(0, EXACT_AMONG).forEach(function (h) {
      if (h.tier === 0 && self.normalisedTitle(h.doc) === parsed.exact) { h.exact = exact = true; h.score += EXACT_BONUS; }
    });
    if (exact) result.hits.sort(order);
  };

  // The full ranking, on every paper of the terms (the papers here, while a piece is missing): every
  // paper with any of the query's words is scored per word by its best way of matching it (a word
  // counts once however many of its forms a paper has), and put in a tier: 0 has every word and
  // phrase, 1 every word, 2 some words (ranked by how many, the rarer words counting more). Tiers 1
  // and 2 are kept only when tier 0 has fewer than FEW papers.
  Engine.prototype.rank = function (parsed, groups, result) {
    var n = this.n, marked = new Uint8Array(n), candidates = [], self = this;
    function touch(doc) { if (!marked[doc]) { marked[doc] = 1; candidates.push(doc); } }
    var scored = groups.map(function (group) { return this.scoreGroup(group, touch); }, this);
    candidates.forEach(function (doc) {
      var covered = 0, coverage = 0, score = 0;
      scored.forEach(function (s) {
        if (s.best[doc] > 0) { covered++; coverage += s.cover[doc]; score += s.best[doc]; }
      });
      result.hits.push({ doc: doc, tier: covered === groups.length ? 0 : 2, covered: covered, coverage: coverage, score: score, exact: false });
    });
    if (parsed.phrases.length) {
      // The phrase is looked for in the best-scored papers with every word (their abstracts fetched
      // for it); those without it drop to tier 1, and those not looked at follow the ones found.
      result.hits.filter(function (h) { return h.tier === 0; }).sort(function (a, b) {
        return b.score - a.score || a.doc - b.doc;
      }).forEach(function (h, i) {
        if (i >= PHRASE_CHECKS) { h.unchecked = true; return; }
        if (!self.hasPhrases(h.doc, parsed.phrases)) h.tier = 1;
      });
    }
    var complete = result.hits.filter(function (h) { return h.tier === 0; }).length;
    if (complete >= FEW) result.hits = result.hits.filter(function (h) { return h.tier === 0; });
    result.hits.sort(order);
    this.exactFirst(result, parsed);
    return result;
  };


  // Whether every phrase's terms appear in a row in the title or the abstract (a phrase that is the
  // long form of an acronym pair also by its short form); undefined while the paper's text is not here.
  Engine.prototype.hasPhrases = function (doc, phrases) {
    var title = this.title(doc);
    if (title === undefined) return undefined;
    title = " " + termsOf(title) + " ";
    var abstract = null;
    for (var i = 0; i < phrases.length; i++) {
      var wanted = [" " + phrases[i].join(" ") + " "], short = this.shortOf.get(phrases[i].join(" "));
      if (short) wanted.push(" " + short + " ");
      var found = function (text) { return wanted.some(function (w) { return text.indexOf(w) >= 0; }); };
      if (found(title)) continue;
      if (abstract === null) {
        var text = this.store.record("text", doc);
        if (text === undefined) return undefined;
        abstract = " " + termsOf(text) + " ";
      }
      if (!found(abstract)) return false;
    }
    return true;
  };

  function termsOf(text) {
    return tokens(text).map(function (t) { return t.term; }).filter(Boolean).join(" ");
  }

  // The terms a result's text is highlighted on: every alternative of every group, and the other
  // form of any acronym pair among them.
  Engine.prototype.markTerms = function (result) {
    var marks = new Set(), acronyms = this.acronyms;
    result.groups.forEach(function (group) {
      group.alts.forEach(function (alt) { alt.terms.forEach(function (t) { marks.add(t); }); });
    });
    Object.keys(acronyms).forEach(function (short) {
      var long = acronyms[short];
      if (marks.has(term(short))) long.forEach(function (t) { marks.add(t); });
      else if (long.every(function (t) { return marks.has(t); })) marks.add(term(short));
    });
    return marks;
  };

  // What the page shows of hits: title, link, theme, marks and, for the first `excerpts` of them (all
  // when true), an excerpt.
  Engine.prototype.present = function (result, hits, excerpts) {
    var marks = this.markTerms(result), self = this;
    return hits.map(function (h, i) {
      var d = self.store.record("docs", h.doc) || ["", ""], item = {
        doc: h.doc, title: d[0], slug: d[1], theme: self.themes[self.store.themeOf[h.doc]][1], exact: h.exact,
        tier: h.tier, titleMarks: T.marked(d[0], marks)
      };
      if (excerpts === true || i < excerpts) {
        var text = self.store.record("text", h.doc);
        if (text !== undefined) item.excerpt = T.excerpt(text, marks);
      }
      return item;
    });
  };

  // make() worked out again until every piece of the index it asked for is here.
  Engine.prototype.settle = function (make) {
    var made = make(), self = this;
    return this.store.missing.size ? this.store.fill().then(function () { return self.settle(make); }) : Promise.resolve(made);
  };

  // One request of the page: the hits of msg.raw (in the theme whose slug is msg.theme, if any), the
  // counts per theme, and hits [msg.from, msg.from + msg.count) presented.
  Engine.prototype.answer = function (msg) {
    var self = this, themeOf = this.store.themeOf, theme = this.themeNumber(msg.theme), from = msg.from || 0;
    return this.settle(function () { return self.search(msg.raw, from + msg.count, theme, msg.quick); }).then(function (result) {
      var counts = {}, estimated = result.estimate !== null;
      result.hits.forEach(function (h) { var t = themeOf[h.doc]; counts[t] = (counts[t] || 0) + 1; });
      var shown = theme === null ? result.hits : result.hits.filter(function (h) { return themeOf[h.doc] === theme; });
      var page = shown.slice(from, from + msg.count), words = parse(msg.raw).words;
      var total = estimated ? scaleCounts(counts, result.estimate / result.hits.length, theme, shown.length) : shown.length;
      return self.settle(function () {
        return { items: self.present(result, page, msg.excerpts), suggestion: result.hits.length ? null : self.reader.suggest(words) };
      }).then(function (presented) {
        return {
          id: msg.id, raw: msg.raw, total: total, totalAll: estimated ? result.estimate : result.hits.length,
          exact: !estimated, provisional: !!result.provisional, complete: estimated ? total : shown.filter(function (h) { return h.tier === 0; }).length, counts: counts,
          words: result.groups.map(function (g) { return g.label; }), missing: result.missing,
          phrases: result.phrases.length, items: presented.items, themes: self.themes,
          suggestion: presented.suggestion
        };
      });
    });
  };

  Engine.prototype.themeNumber = function (slug) {
    for (var i = 0; i < this.themes.length; i++) if (this.themes[i][0] === slug) return i;
    return null;
  };

  // Counts of the papers known so far, per theme, scaled to an estimated total (at least one where
  // one is known); the total shown (the theme's, when one is chosen), at least the papers known.
  function scaleCounts(counts, scale, theme, known) {
    Object.keys(counts).forEach(function (t) { counts[t] = Math.max(1, Math.round(counts[t] * scale)); });
    return Math.max(known, theme === null ? Math.round(known * scale) : counts[theme] || 0);
  }

  // The engine over the catalog's payload; fetchPiece(kind, number) resolves to a piece's payload.
  function open(catalog, fetchPiece) {
    return new Engine(new global.sitegenSearchStore(catalog, fetchPiece));
  }

  global.sitegenSearchEngine = { open: open, parse: parse, FEW: FEW };
})(self);
