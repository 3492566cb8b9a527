/* The search engine: the prebuilt index (sitegen/search.py) scored with lunr's BM25, and queries understood the
 * way a researcher means them. Runs in the Web Worker (search-worker.js) when the site is served over
 * http(s), and on the page itself, in slices, when it is opened from disk. Needs lunr.js; no DOM.
 *
 * Words become terms exactly as sitegen/search_text.py makes them (tests compare the two): trimmed,
 * stop words out, British spellings folded, a light stem (Porter's step 1). A query word then matches:
 * its own term (full weight), its Porter family ("generalization" for "generalize": lower weight, so an
 * exact word ranks first), and, when it matches nothing, index terms one or two edits away (longer
 * words only). The word being typed matches its most common completions. A hyphenated word matches the
 * joined word or all its parts; two words that are one indexed word joined ("pre training") match it.
 * Acronym pairs were applied to the index at build time. Every word must match (AND); when fewer than
 * FEW papers have them all, the papers with most of them follow, and the result says so. A quoted
 * phrase must appear, on terms, in the title or the abstract (fetched for the candidates only).
 */
(function (global) {
  "use strict";

  var FEW = 10; // fewer AND results than a screenful: papers with most of the words follow
  var MAX_COMPLETIONS = 12; // completions of the word being typed, the most common first
  // A word of the same Porter family is found but weighs less, the less of the word it shares: "molecular"
  // for "molecule" nearly as much as the word, "general" for "generalization" hardly at all.
  var FAMILY_WEIGHT = 0.5;
  var COMPLETION_WEIGHT = 0.7;
  var TYPO_WEIGHT = 0.5;
  var MAX_TYPOS = 3;
  var EXCERPT_WORDS = 32;
  var PHRASE_CHECKS = 60; // papers whose abstract a quoted phrase is looked for in: three pages' worth
  var EXACT_BONUS = 1e6;

  /* ---------- words -> terms (mirrors sitegen/search_text.py) ---------- */

  var W = "[\\p{L}\\p{N}_]";
  var TRIM = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
  var FOLDS = [
    [new RegExp("(?<=" + W + W + ")is(e|es|ed|ing|ation|ations|er|ers)$", "u"), "iz$1"],
    [new RegExp("(?<=" + W + W + ")ys(e|es|ed|ing|er|ers)$", "u"), "yz$1"],
    [new RegExp("(?<=" + W + W + ")our(s|ed|ing|ite|ites|able|ful|less|ist|ists)?$", "u"), "or$1"],
    [new RegExp("(?<=[aeiouy](?![aeiouy])" + W + ")([ae])ll(ing|ed|er|ers)$", "u"), "$1l$2"],
    [new RegExp("(?<=" + W + W + ")([bt])re(s?)$", "u"), "$1er$2"],
    [new RegExp("(?<=" + W + W + ")([bt])red$", "u"), "$1ered"],
    [new RegExp("(?<=" + W + W + W + ")ogue(s?)$", "u"), "og$1"]
  ];

  function fold(word) {
    for (var i = 0; i < FOLDS.length; i++) {
      if (FOLDS[i][0].test(word)) return word.replace(FOLDS[i][0], FOLDS[i][1]);
    }
    return word;
  }

  var C = "[^aeiou][^aeiouy]*", V = "[aeiouy][aeiou]*";
  var MGR0 = new RegExp("^(" + C + ")?" + V + C);
  var CVC = /^[^aeiou][^aeiouy]*[aeiouy][^aeiouwxy]$/;
  var HAS_VOWEL = new RegExp("^(" + C + ")?[aeiouy]");
  var STEP1A = [/^(.+?)(ss|i)es$/, /^(.+?)([^s])s$/];

  function lightStem(word) {
    if (word.length < 3) return word;
    var yFirst = word[0] === "y", m;
    if (yFirst) word = "Y" + word.slice(1);
    for (var i = 0; i < STEP1A.length; i++) {
      if (STEP1A[i].test(word)) { word = word.replace(STEP1A[i], "$1$2"); break; }
    }
    if ((m = /^(.+?)eed$/.exec(word))) {
      if (MGR0.test(m[1])) word = word.slice(0, -1);
    } else if ((m = /^(.+?)(ed|ing)$/.exec(word)) && HAS_VOWEL.test(m[1])) {
      word = m[1];
      if (/(at|bl|iz)$/.test(word)) word += "e";
      else if (/([^aeiouylsz])\1$/.test(word)) word = word.slice(0, -1);
      else if (CVC.test(word)) word += "e";
    }
    if ((m = /^(.+?[^aeiou])y$/.exec(word))) word = m[1] + "i";
    return yFirst ? "y" + word.slice(1) : word;
  }

  function trim(word) {
    return word.toLowerCase().replace(TRIM, "");
  }

  var terms = new Map();
  function term(word) {
    var t = terms.get(word);
    if (t === undefined) {
      var trimmed = trim(word);
      t = !trimmed || !lunr.stopWordFilter(new lunr.Token(trimmed)) ? null : lightStem(fold(trimmed));
      terms.set(word, t);
    }
    return t;
  }

  // A text's words as {surface, start, end, term, joined}: joined is the term of a hyphenated word
  // written as one ("fine-tuning" -> the term of "finetuning"), on its first part.
  function tokens(text) {
    var out = [], re = /\S+/g, m;
    while ((m = re.exec(text))) {
      var chunk = m[0], offset = m.index, parts = [], at = 0;
      chunk.split("-").forEach(function (part) {
        if (part.replace(TRIM, "")) parts.push({ text: part, start: offset + at });
        at += part.length + 1;
      });
      var joined = parts.length > 1 ? term(parts.map(function (p) { return p.text; }).join("")) : null;
      parts.forEach(function (p, i) {
        out.push({ surface: p.text, start: p.start, end: p.start + p.text.length, term: term(p.text), joined: i === 0 ? joined : null });
      });
    }
    return out;
  }

  function normalise(text) {
    return (text || "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  /* ---------- building the index ---------- */

  var DIGITS = new Int8Array(128).fill(-1);
  "0123456789abcdefghijklmnopqrstuv".split("").forEach(function (c, i) { DIGITS[c.charCodeAt(0)] = i; });
  "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$".split("").forEach(function (c, i) { DIGITS[c.charCodeAt(0)] = 32 + i; });

  // The numbers of a string written by sitegen/search.py's _number, one after another.
  function decodeNumbers(encoded) {
    var values = [], value = 0;
    for (var i = 0; i < encoded.length; i++) {
      var digit = DIGITS[encoded.charCodeAt(i)];
      if (digit >= 32) value = value * 32 + (digit - 32);
      else { values.push(value * 32 + digit); value = 0; }
    }
    return values;
  }

  // A term's postings (search.py's encode_postings) as [papers, frequencies].
  function decodePostings(encoded) {
    var values = decodeNumbers(encoded), docs = [], tfs = [], doc = -1;
    for (var j = 0; j < values.length; j++) {
      doc += (values[j] >> 1) + 1;
      docs.push(doc);
      tfs.push(values[j] & 1 ? values[++j] + 2 : 1);
    }
    return [docs, tfs];
  }

  // tiers: the payloads of titles.js and (when loaded) full.js. slices(count, step) runs step(i) for
  // each i, yielding to the event loop between slices on the page (in the worker: all at once).
  // Little is done up front: a term's postings are decoded and scored when a query first needs them.
  function build(tiers, slices, meta) {
    var n = tiers[0].count, sources = [];
    tiers.forEach(function (tier) {
      var at = new Map();
      tier.terms.forEach(function (t, i) { at.set(t, i); });
      tier.fields.forEach(function (f) {
        var lengths = Float64Array.from(decodeNumbers(tier.lengths[f[0]])), total = 0;
        for (var d = 0; d < n; d++) total += lengths[d];
        sources.push({ postings: tier.postings[f[0]], at: at, boost: f[1], lengths: lengths, average: total / n || 1 });
      });
    });
    var all = Array.from(new Set([].concat.apply([], tiers.map(function (t) { return t.terms; })))).sort();
    var numberOf = new Map();
    return slices(all.length, function (i) { numberOf.set(all[i], i); }).then(function () {
      return new Engine({ terms: all, numberOf: numberOf, sources: sources, k1: tiers[0].k1, b: tiers[0].b }, meta);
    });
  }

  /* ---------- the engine ---------- */

  function Engine(index, meta) {
    this.terms = index.terms;
    this.numberOf = index.numberOf;
    this.stems = new Map(); // term number -> its Porter stem, when first needed
    this.sources = index.sources; // per field: postings strings, lengths, boost
    this.k1 = index.k1;
    this.b = index.b;
    this.scored = new Map(); // term number -> {docs, scores}, made when first needed
    this.counts = new Map(); // term number -> papers with it
    this.docs = meta.docs; // [title, slug, theme number]
    this.titles = new Array(meta.docs.length); // normalised, when first needed
    this.themes = meta.themes;
    this.full = !!meta.full;
    this.acronyms = (meta.full && meta.full.acronyms) || {};
    this.shortOf = new Map(); // long form's terms, joined -> the short form's term
    Object.keys(this.acronyms).forEach(function (short) { this.shortOf.set(this.acronyms[short].join(" "), term(short)); }, this);
    this.chunks = (meta.full && meta.full.chunks) || [];
    this.text = meta.text || {}; // chunk number -> abstracts, filled in as chunks arrive
  }

  // A term's papers and, per paper, its BM25 score summed over the fields (boosts included), with
  // lunr's formula and parameters (lunr's Builder gives each field the same).
  Engine.prototype.posting = function (i) {
    var cached = this.scored.get(i);
    if (cached) return cached;
    var n = this.docs.length, k1 = this.k1, b = this.b, t = this.terms[i], sum = new Map();
    this.sources.forEach(function (source) {
      var at = source.at.get(t);
      if (at === undefined || !source.postings[at]) return;
      var decoded = decodePostings(source.postings[at]), docs = decoded[0], tfs = decoded[1];
      var idf = Math.log(1 + Math.abs((n - docs.length + 0.5) / (docs.length + 0.5)));
      for (var j = 0; j < docs.length; j++) {
        var norm = k1 * (1 - b + (b * source.lengths[docs[j]]) / source.average);
        sum.set(docs[j], (sum.get(docs[j]) || 0) + ((idf * (k1 + 1) * tfs[j]) / (norm + tfs[j])) * source.boost);
      }
    });
    var docs = Int32Array.from(sum.keys()).sort(), scores = new Float32Array(docs.length);
    for (var j = 0; j < docs.length; j++) scores[j] = sum.get(docs[j]);
    cached = { docs: docs, scores: scores };
    this.scored.set(i, cached);
    this.counts.set(i, docs.length);
    return cached;
  };

  // About how many papers have term number i (the most in any one field), without decoding it.
  Engine.prototype.df = function (i) {
    var count = this.counts.get(i);
    if (count === undefined) {
      var t = this.terms[i];
      count = 0;
      this.sources.forEach(function (source) {
        var at = source.at.get(t);
        if (at !== undefined) count = Math.max(count, countDocs(source.postings[at]));
      });
      this.counts.set(i, count);
    }
    return count;
  };

  function countDocs(encoded) {
    var count = 0, value = 0, frequencyNext = false;
    for (var i = 0; i < encoded.length; i++) {
      var digit = DIGITS[encoded.charCodeAt(i)];
      if (digit >= 32) { value = value * 32 + (digit - 32); continue; }
      value = value * 32 + digit;
      if (frequencyNext) frequencyNext = false;
      else { count++; frequencyNext = (value & 1) === 1; }
      value = 0;
    }
    return count;
  }

  Engine.prototype.normalisedTitle = function (doc) {
    return this.titles[doc] || (this.titles[doc] = normalise(this.docs[doc][0]));
  };

  Engine.prototype.has = function (t) { return t !== null && this.numberOf.has(t); };

  // The numbers of the terms starting with prefix.
  Engine.prototype.startingWith = function (prefix) {
    var lo = 0, hi = this.terms.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (this.terms[mid] < prefix) lo = mid + 1; else hi = mid; }
    var found = [];
    for (var i = lo; i < this.terms.length && this.terms[i].lastIndexOf(prefix, 0) === 0; i++) found.push(i);
    return found;
  };

  // The terms of t's Porter family (its own stem): Porter only rewrites a word's ending, so they are
  // among the terms that start with the stem less its last letter.
  Engine.prototype.family = function (t) {
    var stem = lunr.stemmer(new lunr.Token(t)).toString(), self = this;
    return this.startingWith(stem.slice(0, Math.max(1, stem.length - 1))).filter(function (i) {
      if (!self.stems.has(i)) self.stems.set(i, lunr.stemmer(new lunr.Token(self.terms[i])).toString());
      return self.stems.get(i) === stem;
    });
  };

  // Terms starting with prefix, the most common first, at most MAX_COMPLETIONS.
  Engine.prototype.completions = function (prefix) {
    var found = this.startingWith(prefix);
    var self = this;
    found.sort(function (a, b) { return self.df(b) - self.df(a) || a - b; });
    return found.slice(0, MAX_COMPLETIONS).map(function (i) { return this.terms[i]; }, this);
  };

  // Index terms within edit distance 1 (words of 5-7 letters) or 2 (8 and more), nearest and most
  // common first; none for shorter words (too many near misses).
  Engine.prototype.nearTerms = function (t, limit) {
    var max = t.length >= 8 ? 2 : t.length >= 5 ? 1 : 0, found = [];
    if (!max) return [];
    for (var i = 0; i < this.terms.length; i++) {
      var u = this.terms[i];
      if (Math.abs(u.length - t.length) > max) continue;
      var d = distance(t, u, max);
      if (d <= max) found.push([d, -this.df(i), u]);
    }
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : 1); });
    return found.slice(0, limit).map(function (f) { return { term: f[2], distance: f[0] }; });
  };

  // Damerau-Levenshtein (optimal string alignment) distance, giving up above max.
  function distance(a, b, max) {
    var prev2 = null, prev = [], row, i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      row = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        row[j] = v;
        if (v < best) best = v;
      }
      if (best > max) return max + 1;
      prev2 = prev;
      prev = row;
    }
    return prev[b.length];
  }

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
    this.family(t).forEach(function (i) {
      var u = self.terms[i], shared = 0;
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
    return Math.log(1 + this.docs.length / (this.df(this.numberOf.get(t)) || 1));
  };

  // Per paper, the best weighted score among a word's ways of matching (an alternative of several
  // terms counts where all of them are), and the weight of that match for coverage.
  Engine.prototype.scoreGroup = function (group, touch) {
    var n = this.docs.length, best = new Float64Array(n), cover = new Float64Array(n), self = this;
    group.alts.forEach(function (alt) {
      var lists = alt.terms.map(function (t) { return self.posting(self.numberOf.get(t)); });
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
    var result = { raw: raw, hits: [], groups: groups, missing: g.missing, phrases: parsed.phrases, needText: [] };
    if (!groups.length) return result;
    var n = this.docs.length, marked = new Uint8Array(n), candidates = [];
    function touch(doc) { if (!marked[doc]) { marked[doc] = 1; candidates.push(doc); } }
    var scored = groups.map(function (group) { return this.scoreGroup(group, touch); }, this);
    var self = this, need = new Set();
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
        var has = self.hasPhrases(h.doc, parsed.phrases);
        if (has === undefined) need.add(self.chunkOf(h.doc));
        if (!has) h.tier = 1;
      });
    }
    result.needText = Array.from(need).sort(function (a, b) { return a - b; });
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

  Engine.prototype.chunkOf = function (doc) {
    var lo = 0, hi = this.chunks.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (this.chunks[mid] <= doc) lo = mid; else hi = mid - 1; }
    return lo;
  };

  Engine.prototype.abstract = function (doc) {
    var chunk = this.text[this.chunkOf(doc)];
    return chunk ? chunk[doc - this.chunks[this.chunkOf(doc)]] : undefined;
  };

  // Whether every phrase's terms appear in a row in the title or the abstract (a phrase that is the
  // long form of an acronym pair also by its short form); undefined when the abstract is not here yet.
  Engine.prototype.hasPhrases = function (doc, phrases) {
    var title = " " + tokens(this.docs[doc][0]).map(function (t) { return t.term; }).filter(Boolean).join(" ") + " ";
    var abstract = null;
    for (var i = 0; i < phrases.length; i++) {
      var wanted = [" " + phrases[i].join(" ") + " "], short = this.shortOf.get(phrases[i].join(" "));
      if (short) wanted.push(" " + short + " ");
      var found = function (text) { return wanted.some(function (w) { return text.indexOf(w) >= 0; }); };
      if (found(title)) continue;
      if (abstract === null) {
        var text = this.full ? this.abstract(doc) : "";
        if (text === undefined) return undefined;
        abstract = " " + tokens(text).map(function (t) { return t.term; }).filter(Boolean).join(" ") + " ";
      }
      if (!found(abstract)) return false;
    }
    return true;
  };

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

  // [start, end] of each word of text whose term (or joined term) is marked.
  function marked(text, marks) {
    return tokens(text).filter(function (tk) {
      return (tk.term !== null && marks.has(tk.term)) || (tk.joined !== null && marks.has(tk.joined));
    }).map(function (tk) { return [tk.start, tk.end]; });
  }

  // About EXCERPT_WORDS words of text around where the most marked words are, with their ranges.
  function excerpt(text, marks) {
    var words = [], re = /\S+/g, m;
    while ((m = re.exec(text))) words.push([m.index, m.index + m[0].length]);
    var hits = marked(text, marks), best = 0, bestCount = -1;
    hits.forEach(function (h) {
      var from = h[0], count = 0;
      hits.forEach(function (o) { if (o[0] >= from && o[0] < from + EXCERPT_WORDS * 8) count++; });
      if (count > bestCount) { bestCount = count; best = from; }
    });
    var first = 0;
    while (first < words.length && words[first][1] <= best) first++;
    first = Math.max(0, Math.min(first - 4, words.length - EXCERPT_WORDS));
    var last = Math.min(words.length, first + EXCERPT_WORDS);
    if (!words.length) return { text: "", marks: [] };
    var start = words[first][0], end = words[last - 1][1];
    var prefix = first > 0 ? "… " : "", suffix = last < words.length ? " …" : "";
    return {
      text: prefix + text.slice(start, end) + suffix,
      marks: hits.filter(function (h) { return h[0] >= start && h[1] <= end; }).map(function (h) {
        return [h[0] - start + prefix.length, h[1] - start + prefix.length];
      })
    };
  }

  // What the page shows of hits[from, from + count): title, link, theme, marks and (with the full
  // index and withExcerpt) an excerpt. needText lists the text chunks an excerpt still waits for.
  Engine.prototype.present = function (result, hits, withExcerpt) {
    var marks = this.markTerms(result), self = this, need = new Set();
    var items = hits.map(function (h) {
      var d = self.docs[h.doc], item = {
        doc: h.doc, title: d[0], slug: d[1], theme: self.themes[d[2]][1], exact: h.exact, tier: h.tier,
        titleMarks: marked(d[0], marks)
      };
      if (withExcerpt && self.full) {
        var text = self.abstract(h.doc);
        if (text === undefined) need.add(self.chunkOf(h.doc));
        else item.excerpt = excerpt(text, marks);
      }
      return item;
    });
    return { items: items, needText: Array.from(need) };
  };

  // A nearby spelling for each word that matched nothing (for "No results").
  Engine.prototype.suggest = function (words) {
    var self = this, changed = false;
    var out = words.map(function (w) {
      var t = term(w);
      if (t === null || self.has(t)) return w;
      var near = self.nearTerms(t, 1)[0] || (t.length >= 4 ? nearAny(self, t) : null);
      if (!near) return w;
      changed = true;
      return near.term;
    });
    return changed ? out.join(" ") : null;
  };

  function nearAny(engine, t) {
    var best = null;
    engine.terms.forEach(function (u, i) {
      if (Math.abs(u.length - t.length) > 2) return;
      var d = distance(t, u, 2);
      if (d <= 2 && (!best || d < best.distance || (d === best.distance && engine.df(i) > best.df))) best = { term: u, distance: d, df: engine.df(i) };
    });
    return best;
  }

  // One request of the page: the hits of msg.raw (in the theme whose slug is msg.theme, if any), the
  // counts per theme, and hits [msg.from, msg.from + msg.count) presented. loadText(chunks) resolves
  // once those text chunks are in this.text (a phrase to check, or excerpts to show).
  Engine.prototype.answer = function (msg, loadText) {
    var self = this;
    function withText(make) {
      var made = make();
      return made.needText.length ? loadText(made.needText).then(make) : Promise.resolve(made);
    }
    return withText(function () { return self.search(msg.raw); }).then(function (result) {
      var counts = {}, theme = null;
      self.themes.forEach(function (t, i) { if (t[0] === msg.theme) theme = i; });
      result.hits.forEach(function (h) { var t = self.docs[h.doc][2]; counts[t] = (counts[t] || 0) + 1; });
      var shown = theme === null ? result.hits : result.hits.filter(function (h) { return self.docs[h.doc][2] === theme; });
      var from = msg.from || 0, page = shown.slice(from, from + msg.count);
      return withText(function () { return self.present(result, page, msg.excerpts); }).then(function (presented) {
        return {
          id: msg.id, raw: msg.raw, full: self.full, total: shown.length, totalAll: result.hits.length,
          complete: shown.filter(function (h) { return h.tier === 0; }).length, counts: counts,
          words: result.groups.map(function (g) { return g.label; }), missing: result.missing,
          phrases: result.phrases.length, items: presented.items, themes: self.themes,
          suggestion: result.hits.length ? null : self.suggest(parse(msg.raw).words)
        };
      });
    });
  };

  global.sitegenSearchEngine = {
    build: build, term: term, tokens: tokens, fold: fold, lightStem: lightStem, parse: parse,
    normalise: normalise, FEW: FEW
  };
})(self);
