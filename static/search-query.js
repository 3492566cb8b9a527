/* How a query is understood (search-engine.js ranks what this finds): the query's words, each read as
 * the ways it can match index terms, from the lexicon pieces alone (no postings).
 *
 * A query word matches: its own term (full weight), its Porter family ("generalization" for "generalize":
 * lower weight, so an exact word ranks first), and, when it matches nothing, index terms one or two edits
 * away that start with the same two letters (longer words only). The word being typed matches its most common
 * completions (a prefix whose terms span several lexicon pieces lists them in the first). A hyphenated word
 * matches the joined word or all its parts; two words that are one indexed word joined ("pre training")
 * match it. Acronym pairs were applied to the index at build time. Needs lunr.js and search-text.js.
 */
(function (global) {
  "use strict";

  var T = global.sitegenSearchText, term = T.term, tokens = T.tokens, trim = T.trim, TRIM = T.TRIM;
  var normalise = T.normalise;
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

  // The query's reader over the index's lexicon (a search-store.js Store).
  function Reader(store) {
    this.store = store;
    this.n = store.count;
    this.stems = new Map(); // term -> its Porter stem
  }

  // How many papers hold term t (0 while its lexicon piece is missing).
  Reader.prototype.df = function (t) { return this.store.holders(t) || 0; };

  Reader.prototype.has = function (t) { return t !== null && this.df(t) > 0; };

  Reader.prototype.startingWith = function (prefix) { return this.store.startingWith(prefix) || []; };

  Reader.prototype.stemOf = function (t) {
    if (!this.stems.has(t)) this.stems.set(t, lunr.stemmer(new lunr.Token(t)).toString());
    return this.stems.get(t);
  };

  // The terms of t's Porter family (its own stem): Porter only rewrites a word's ending, so they are
  // among the terms that start with the stem less its last letter.
  Reader.prototype.family = function (t) {
    var stem = this.stemOf(t), self = this;
    if (stem.length < FAMILY_MIN_STEM) return [];
    return this.startingWith(stem.slice(0, Math.max(1, stem.length - 1))).filter(function (u) {
      return self.stemOf(u) === stem;
    });
  };

  // Terms starting with prefix, the most common first, at most MAX_COMPLETIONS: the prefix's listed
  // completions when its terms span lexicon pieces (so one piece is fetched, whatever the corpus size),
  // else all its terms ranked here (the same order: sitegen/search.py ranks them as this does).
  Reader.prototype.completions = function (prefix) {
    var self = this, found = this.store.tops(prefix);
    if (found === undefined) return [];
    if (found === null) {
      found = this.startingWith(prefix).map(function (t) { return [t, self.df(t)]; });
      found.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
    }
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
  Reader.prototype.near = function (t, max, limit) {
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
  Reader.prototype.nearTerms = function (t, limit) {
    var max = t.length >= 8 ? 2 : t.length >= 5 ? 1 : 0;
    return max ? this.near(t, max, limit) : [];
  };

  // The ways one query word can match: [{terms: [...], weight}], each alternative needing all its terms.
  Reader.prototype.alternatives = function (word, typing) {
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
  Reader.prototype.groups = function (parsed) {
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

  Reader.prototype.idf = function (t) {
    return Math.log(1 + this.n / (this.df(t) || 1));
  };

  // A nearby spelling for each word that matched nothing (for "No results").
  Reader.prototype.suggest = function (words) {
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

  global.sitegenSearchQuery = { Reader: Reader, parse: parse };
})(self);
