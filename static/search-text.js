/* How search reads text, shared by the engine (search-engine.js) in the worker and on the page: words ->
 * index terms exactly as sitegen/search_text.py makes them (tests compare the two), the numbers that
 * sitegen/search.py writes into the index files, edit distances (for typos), and excerpts cut around the
 * matched words. Needs lunr.js (its stop words and stemmer); no DOM.
 */
(function (global) {
  "use strict";

  var EXCERPT_WORDS = 32;

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

  /* ---------- numbers in the index files ---------- */

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

  global.sitegenSearchText = {
    term: term, tokens: tokens, fold: fold, lightStem: lightStem, trim: trim, normalise: normalise, TRIM: TRIM,
    decodeNumbers: decodeNumbers, marked: marked, excerpt: excerpt,
    distance: distance
  };
})(self);
