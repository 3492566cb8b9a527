/* The search engine: the sharded index (sitegen/search.py) fetched piece by piece as queries need it,
 * scored with lunr's BM25, and queries understood the way a researcher means them. Runs in the Web Worker
 * (search-worker.js) when the site is served over http(s), and on the page itself when it is opened from
 * disk. Needs lunr.js and search-text.js; no DOM.
 *
 * A query word matches: its own term (full weight), its Porter family ("generalization" for "generalize":
 * lower weight, so an exact word ranks first), and, when it matches nothing, index terms one or two edits
 * away that start with the same two letters (longer words only). The word being typed matches its most common
 * completions. A hyphenated word matches the joined word or all its parts; two words that are one indexed
 * word joined ("pre training") match it. Acronym pairs were applied to the index at build time. Every word
 * must match (AND); when fewer than FEW papers have them all, the papers with most of them follow, and the
 * result says so. A quoted phrase must appear, on terms, in the title or the abstract (fetched for the
 * candidates only).
 *
 * Every question the engine asks of the index (is this a term, which terms start with this, a term's
 * postings, a paper's title or abstract) is answered from the pieces already here, or noted as missing;
 * a request is worked out again once the missing pieces have arrived, until nothing is missing. So the
 * same query gives the same answer whether the index came in one piece or in many.
 */
(function (global) {
  "use strict";

  var T = global.sitegenSearchText, term = T.term, tokens = T.tokens, trim = T.trim, TRIM = T.TRIM;
  var normalise = T.normalise;
  var FEW = 10; // fewer AND results than a screenful: papers with most of the words follow
  // Completions of the word being typed, the most common first: a short prefix has a great many, and
  // only its most common words fill a screen of results, so it is expanded to fewer.
  var MAX_COMPLETIONS = 12;
  var SHORT_PREFIX_COMPLETIONS = [0, 0, 3, 6]; // by the prefix's length
  var FAMILY_MIN_STEM = 4; // shorter stems ("ne" while typing "neural") have no family worth the fetch
  // A word of the same Porter family is found but weighs less, the less of the word it shares: "molecular"
  // for "molecule" nearly as much as the word, "general" for "generalization" hardly at all.
  var FAMILY_WEIGHT = 0.5;
  var COMPLETION_WEIGHT = 0.7;
  var TYPO_WEIGHT = 0.5;
  var MAX_TYPOS = 3;
  var PHRASE_CHECKS = 60; // papers whose abstract a quoted phrase is looked for in: three pages' worth
  var EXACT_BONUS = 1e6;
  var NONE = { docs: [], scores: [] };

  /* ---------- the engine ---------- */

  function Engine(store) {
    this.store = store;
    this.n = store.count;
    this.themes = store.themes;
    this.scored = new Map(); // term -> {docs, scores}, made when first needed
    this.stems = new Map(); // term -> its Porter stem
    this.titles = new Map(); // paper -> its title normalised
    this.acronyms = store.acronyms;
    this.shortOf = new Map(); // long form's terms, joined -> the short form's term
    Object.keys(this.acronyms).forEach(function (short) { this.shortOf.set(this.acronyms[short].join(" "), term(short)); }, this);
  }

  // A term's papers and, per paper, its BM25 score summed over the fields (boosts included), with
  // lunr's formula and parameters (lunr's Builder gives each field the same). Null while not here.
  Engine.prototype.posting = function (t) {
    var cached = this.scored.get(t);
    if (cached) return cached;
    var encoded = this.store.postings(t);
    if (!encoded) return null;
    var n = this.n, k1 = this.store.k1, b = this.store.b, sum = new Map();
    this.store.fields.forEach(function (field) {
      if (!encoded[field.name]) return;
      var decoded = T.decodePostings(encoded[field.name]), docs = decoded[0], tfs = decoded[1];
      var idf = Math.log(1 + Math.abs((n - docs.length + 0.5) / (docs.length + 0.5)));
      for (var j = 0; j < docs.length; j++) {
        var norm = k1 * (1 - b + (b * field.lengths[docs[j]]) / field.average);
        sum.set(docs[j], (sum.get(docs[j]) || 0) + ((idf * (k1 + 1) * tfs[j]) / (norm + tfs[j])) * field.boost);
      }
    });
    var docs = Int32Array.from(sum.keys()).sort(), scores = new Float32Array(docs.length);
    for (var j = 0; j < docs.length; j++) scores[j] = sum.get(docs[j]);
    cached = { docs: docs, scores: scores };
    this.scored.set(t, cached);
    return cached;
  };

  // How many papers hold term t (0 while its lexicon piece is missing).
  Engine.prototype.df = function (t) { return this.store.holders(t) || 0; };

  Engine.prototype.has = function (t) { return t !== null && this.df(t) > 0; };

  Engine.prototype.startingWith = function (prefix) { return this.store.startingWith(prefix) || []; };

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

  Engine.prototype.stemOf = function (t) {
    if (!this.stems.has(t)) this.stems.set(t, lunr.stemmer(new lunr.Token(t)).toString());
    return this.stems.get(t);
  };

  // The terms of t's Porter family (its own stem): Porter only rewrites a word's ending, so they are
  // among the terms that start with the stem less its last letter.
  Engine.prototype.family = function (t) {
    var stem = this.stemOf(t), self = this;
    if (stem.length < FAMILY_MIN_STEM) return [];
    return this.startingWith(stem.slice(0, Math.max(1, stem.length - 1))).filter(function (u) {
      return self.stemOf(u) === stem;
    });
  };

  // Terms starting with prefix, the most common first, at most MAX_COMPLETIONS.
  Engine.prototype.completions = function (prefix) {
    var self = this, found = this.startingWith(prefix).map(function (t) { return [t, self.df(t)]; });
    found.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
    return found.slice(0, SHORT_PREFIX_COMPLETIONS[prefix.length] || MAX_COMPLETIONS).map(function (f) { return f[0]; });
  };

  // The two letters a typo's word is looked for under: its own first two, or those a swap or an extra
  // letter there would have hidden ("rtansformer", "tarnsformer", "taransformer": "tr"). Never a whole
  // letter's terms: that would fetch a large part of the lexicon.
  function typoPrefixes(t) {
    var prefixes = [];
    [t.slice(0, 2), t[1] + t[0], t[0] + t[2]].forEach(function (p) {
      if (prefixes.indexOf(p) < 0) prefixes.push(p);
    });
    return prefixes;
  }

  // Index terms within edit distance max of t, under typoPrefixes(t) (nearest and most common first).
  Engine.prototype.near = function (t, max, limit) {
    var found = [], self = this;
    typoPrefixes(t).forEach(function (prefix) {
      self.startingWith(prefix).forEach(function (u) {
        if (Math.abs(u.length - t.length) > max) return;
        var d = T.distance(t, u, max);
        if (d <= max) found.push([d, -self.df(u), u]);
      });
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : 1); });
    return found.slice(0, limit).map(function (f) { return { term: f[2], distance: f[0] }; });
  };

  // Within edit distance 1 (words of 5-7 letters) or 2 (8 and more); none for shorter words (too many
  // near misses).
  Engine.prototype.nearTerms = function (t, limit) {
    var max = t.length >= 8 ? 2 : t.length >= 5 ? 1 : 0;
    return max ? this.near(t, max, limit) : [];
  };

  // The ways one query word can match: [{terms: [...], weight}], each alternative needing all its terms.
  Engine.prototype.alternatives = function (word, typing) {
    var parts = word.split("-").filter(function (p) { return p.replace(TRIM, ""); });
    var self = this, alts = [], seen = new Set();
    function add(list, weight) {
      list = list.filter(function (t) { return t !== null; });
      var key = list.join(" ");
      if (!list.length || seen.has(key) || !list.every(function (t) { return self.has(t); })) return;
      seen.add(key);
      alts.push({ terms: list, weight: weight });
    }
    if (parts.length > 1) {
      add([term(parts.join(""))], 1);
      add(parts.map(term), 1);
      if (typing) this.completions(trim(parts.join(""))).forEach(function (c) { add([c], COMPLETION_WEIGHT); });
      return alts;
    }
    var t = term(word);
    if (t === null) return null; // a stop word: not a condition
    add([t], 1);
    this.family(t).forEach(function (u) {
      var shared = 0;
      while (shared < u.length && u[shared] === t[shared]) shared++;
      add([u], FAMILY_WEIGHT * Math.pow(shared / Math.max(u.length, t.length), 2));
    });
    if (typing) {
      var raw = trim(word);
      this.completions(raw).concat(raw !== t ? this.completions(t) : []).forEach(function (c) { add([c], COMPLETION_WEIGHT); });
    }
    if (!alts.length) {
      this.nearTerms(t, MAX_TYPOS).forEach(function (near) { add([near.term], TYPO_WEIGHT / near.distance); });
    }
    return alts;
  };

  // "a b "c d" e" -> words a b c d e (the last one unfinished while typing) and the phrase [c, d]. A
  // quote still open is not a phrase yet: its words are searched as words while it is being typed.
  function parse(raw) {
    var phrases = [];
    var rest = raw.replace(/"([^"]*)"/g, function (_, phrase) {
      var t = tokens(phrase).map(function (tk) { return tk.term; }).filter(Boolean);
      if (t.length > 1) phrases.push(t);
      return " " + phrase + " ";
    }).replace(/"/g, " ");
    var words = rest.split(/\s+/).map(function (w) { return w.replace(/^arxiv:/i, ""); }).filter(function (w) {
      return w.replace(TRIM, "");
    });
    var typing = !/[\s"]$/.test(raw) && words.length > 0;
    return { words: words, typing: typing, phrases: phrases, exact: normalise(raw.replace(/"/g, " ")) };
  }

  // The query's conditions: one group per word that can match something, or per two words that are
  // one indexed word when joined. Words that match nothing at all are listed in missing.
  Engine.prototype.groups = function (parsed) {
    var groups = [], missing = [], words = parsed.words;
    for (var i = 0; i < words.length; i++) {
      var typing = parsed.typing && i === words.length - 1;
      if (typing && trim(words[i]).length < 2) continue; // one letter matches half the index
      var alts = this.alternatives(words[i], typing);
      if (alts === null) continue;
      var next = words[i + 1], joined = next && !/-/.test(words[i] + next) ? term(words[i] + next) : null;
      if (joined && this.has(joined) && !(parsed.typing && i + 1 === words.length - 1)) {
        var pair = this.alternatives(next, false) || [];
        alts = [{ terms: [joined], weight: 1 }].concat(alts.length && pair.length ? [{ terms: [alts[0].terms[0], pair[0].terms[0]], weight: 1 }] : []);
        groups.push({ label: words[i] + " " + next, alts: alts });
        i++;
        continue;
      }
      if (alts.length) groups.push({ label: words[i], alts: alts });
      else missing.push(words[i]);
    }
    return { groups: groups, missing: missing };
  };

  Engine.prototype.idf = function (t) {
    return Math.log(1 + this.n / (this.df(t) || 1));
  };

  // Per paper, the best weighted score among a word's ways of matching (an alternative of several
  // terms counts where all of them are), and the weight of that match for coverage.
  Engine.prototype.scoreGroup = function (group, touch) {
    var n = this.n, best = new Float64Array(n), cover = new Float64Array(n), self = this;
    group.alts.forEach(function (alt) {
      var lists = alt.terms.map(function (t) { return self.posting(t) || NONE; });
      var idf = Math.min.apply(null, alt.terms.map(function (t) { return self.idf(t); }));
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
  Engine.prototype.search = function (raw) {
    var parsed = parse(raw), g = this.groups(parsed), groups = g.groups;
    var result = { raw: raw, hits: [], groups: groups, missing: g.missing, phrases: parsed.phrases };
    if (!groups.length) return result;
    var n = this.n, marked = new Uint8Array(n), candidates = [];
    function touch(doc) { if (!marked[doc]) { marked[doc] = 1; candidates.push(doc); } }
    var scored = groups.map(function (group) { return this.scoreGroup(group, touch); }, this);
    var self = this;
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
    function order(a, b) {
      return a.tier - b.tier || (a.tier === 2 ? b.covered - a.covered || b.coverage - a.coverage : 0) ||
        !!a.unchecked - !!b.unchecked || b.score - a.score || a.doc - b.doc;
    }
    result.hits.sort(order);
    // A title equal to the query comes first. It has every word in its title (boosted), so it is
    // among the best-scored complete hits: only those are compared.
    var exact = false;
    result.hits.slice(0, 2 * FEW).forEach(function (h) {
      if (h.tier === 0 && self.normalisedTitle(h.doc) === parsed.exact) { h.exact = exact = true; h.score += EXACT_BONUS; }
    });
    if (exact) result.hits.sort(order);
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

  // What the page shows of hits: title, link, theme, marks and (withExcerpt) an excerpt.
  Engine.prototype.present = function (result, hits, withExcerpt) {
    var marks = this.markTerms(result), self = this;
    return hits.map(function (h) {
      var d = self.store.record("docs", h.doc) || ["", ""], item = {
        doc: h.doc, title: d[0], slug: d[1], theme: self.themes[self.store.themeOf[h.doc]][1], exact: h.exact,
        tier: h.tier, titleMarks: T.marked(d[0], marks)
      };
      if (withExcerpt) {
        var text = self.store.record("text", h.doc);
        if (text !== undefined) item.excerpt = T.excerpt(text, marks);
      }
      return item;
    });
  };

  // A nearby spelling for each word that matched nothing (for "No results").
  Engine.prototype.suggest = function (words) {
    var self = this, changed = false;
    var out = words.map(function (w) {
      var t = term(w);
      if (t === null || self.has(t)) return w;
      var near = self.nearTerms(t, 1)[0] || (t.length >= 4 ? self.near(t, 2, 1)[0] : null);
      if (!near) return w;
      changed = true;
      return near.term;
    });
    return changed ? out.join(" ") : null;
  };

  // make() worked out again until every piece of the index it asked for is here.
  Engine.prototype.settle = function (make) {
    var made = make(), self = this;
    return this.store.missing.size ? this.store.fill().then(function () { return self.settle(make); }) : Promise.resolve(made);
  };

  // One request of the page: the hits of msg.raw (in the theme whose slug is msg.theme, if any), the
  // counts per theme, and hits [msg.from, msg.from + msg.count) presented.
  Engine.prototype.answer = function (msg) {
    var self = this, themeOf = this.store.themeOf;
    return this.settle(function () { return self.search(msg.raw); }).then(function (result) {
      var counts = {}, theme = null;
      self.themes.forEach(function (t, i) { if (t[0] === msg.theme) theme = i; });
      result.hits.forEach(function (h) { var t = themeOf[h.doc]; counts[t] = (counts[t] || 0) + 1; });
      var shown = theme === null ? result.hits : result.hits.filter(function (h) { return themeOf[h.doc] === theme; });
      var from = msg.from || 0, page = shown.slice(from, from + msg.count), words = parse(msg.raw).words;
      return self.settle(function () {
        return { items: self.present(result, page, msg.excerpts), suggestion: result.hits.length ? null : self.suggest(words) };
      }).then(function (presented) {
        return {
          id: msg.id, raw: msg.raw, total: shown.length, totalAll: result.hits.length,
          complete: shown.filter(function (h) { return h.tier === 0; }).length, counts: counts,
          words: result.groups.map(function (g) { return g.label; }), missing: result.missing,
          phrases: result.phrases.length, items: presented.items, themes: self.themes,
          suggestion: presented.suggestion
        };
      });
    });
  };

  // The engine over the catalog's payload; fetchPiece(kind, number) resolves to a piece's payload.
  function open(catalog, fetchPiece) {
    return new Engine(new global.sitegenSearchStore(catalog, fetchPiece));
  }

  global.sitegenSearchEngine = { open: open, parse: parse, FEW: FEW };
})(self);
