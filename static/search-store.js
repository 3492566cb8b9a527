/* The search index in pieces (sitegen/search.py writes them): the catalog, read once, says where every
 * piece starts; lexicon and postings pieces are found by term (the last piece whose key is not above
 * it), a term's later tiers by the piece numbers its first tier lists, docs and text pieces by paper
 * number (a fixed number of papers each). Whatever is asked for and not here yet is noted as missing,
 * for fill() to fetch. Used by search-engine.js; needs search-text.js.
 */
(function (global) {
  "use strict";

  var T = global.sitegenSearchText;
  var LAST = "\uffff"; // sorts after every character a term can continue with

  // The last of the sorted keys that is not above key (keys[0] is the smallest possible).
  function lastAtMost(keys, key) {
    var lo = 0, hi = keys.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (keys[mid] <= key) lo = mid; else hi = mid - 1; }
    return lo;
  }

  // catalog: the payload of catalog.js. fetchPiece(kind, number) resolves to a piece's payload.
  function Store(catalog, fetchPiece) {
    var n = catalog.count;
    this.count = n;
    this.impact = catalog.impact; // a level's score: floor * step^level
    this.themes = catalog.themes;
    this.themeOf = new Int32Array(n);
    var runs = T.decodeNumbers(catalog.themeRuns), at = 0;
    for (var r = 0; r < runs.length; r += 2) { this.themeOf.fill(runs[r], at, at + runs[r + 1]); at += runs[r + 1]; }
    this.acronyms = catalog.acronyms;
    this.keys = { lexicon: catalog.lexicon, postings: catalog.postings };
    this.perPiece = { docs: catalog.docs, text: catalog.text }; // consecutive papers a piece
    this.pieces = { lexicon: new Map(), postings: new Map(), tiers: new Map(), docs: new Map(), text: new Map() };
    this.known = new Map(); // term -> papers holding it, learnt from a prefix's listed completions
    this.missing = new Map(); // "kind number" -> [kind, number]
    this.loading = new Map(); // "kind number" -> the promise of its arrival
    this.fetchPiece = fetchPiece;
  }

  // A piece when it is here; otherwise undefined, and it is noted as missing.
  Store.prototype.piece = function (kind, number) {
    var piece = this.pieces[kind].get(number);
    if (piece === undefined) this.missing.set(kind + " " + number, [kind, number]);
    return piece;
  };

  // Fetch every missing piece (once, however many requests ask for it); resolves once they are here.
  Store.prototype.fill = function () {
    var self = this, wanted = Array.from(this.missing.entries());
    this.missing.clear();
    return Promise.all(wanted.map(function (w) {
      var key = w[0], kind = w[1][0], number = w[1][1];
      if (!self.loading.has(key)) {
        self.loading.set(key, self.fetchPiece(kind, number).then(function (payload) {
          self.pieces[kind].set(number, prepare(kind, payload, number * self.perPiece[kind]));
        }, function (error) {
          self.loading.delete(key); // asked for again by the next request
          throw error;
        }));
      }
      return self.loading.get(key);
    }));
  };

  // A piece's payload made ready; first: a by-number piece's first paper.
  function prepare(kind, payload, first) {
    if (kind === "lexicon") {
      var counts = T.decodeNumbers(payload.counts), at = new Map(), tops = new Map();
      payload.terms.forEach(function (t, i) { at.set(t, counts[i]); });
      Object.keys(payload.tops).forEach(function (prefix) {
        var top = payload.tops[prefix], dfs = T.decodeNumbers(top[1]);
        tops.set(prefix, top[0].split(" ").map(function (t, i) { return [t, dfs[i]]; }));
      });
      return { terms: payload.terms, counts: at, tops: tops };
    }
    if (kind === "postings" || kind === "tiers") {
      var index = new Map(); // term -> its positions (a piece of later tiers may hold two of a term's)
      payload.terms.forEach(function (t, i) { if (index.has(t)) index.get(t).push(i); else index.set(t, [i]); });
      return { index: index, postings: payload.postings, later: payload.later };
    }
    return { first: first, items: payload };
  }

  // The lexicon pieces that hold the terms from..to (undefined while any is missing).
  Store.prototype.lexicon = function (from, to) {
    var keys = this.keys.lexicon, pieces = [], complete = true;
    for (var i = lastAtMost(keys, from), last = lastAtMost(keys, to); i <= last; i++) {
      var piece = this.piece("lexicon", i);
      if (piece) pieces.push(piece); else complete = false;
    }
    return complete ? pieces : undefined;
  };

  // How many papers hold term t (0 when it is no index term; undefined while its piece is missing).
  Store.prototype.holders = function (t) {
    if (this.known.has(t)) return this.known.get(t);
    var piece = this.piece("lexicon", lastAtMost(this.keys.lexicon, t));
    return piece && (piece.counts.get(t) || 0);
  };

  // The terms starting with prefix, in order (undefined while a piece is missing).
  Store.prototype.startingWith = function (prefix) {
    var pieces = this.lexicon(prefix, prefix + LAST);
    if (!pieces) return undefined;
    var found = [];
    pieces.forEach(function (piece) {
      piece.terms.forEach(function (t) { if (t.lastIndexOf(prefix, 0) === 0) found.push(t); });
    });
    return found;
  };

  // The most common completions of prefix as [term, papers] (ranked as the browser would rank all its
  // terms), when its terms span several lexicon pieces; null when they do not (startingWith has them
  // all in one piece); undefined while the piece is missing.
  Store.prototype.tops = function (prefix) {
    var piece = this.piece("lexicon", lastAtMost(this.keys.lexicon, prefix)), known = this.known;
    if (!piece) return undefined;
    var top = piece.tops.get(prefix);
    if (!top) return null;
    top.forEach(function (entry) { known.set(entry[0], entry[1]); });
    return top;
  };

  // Term t's first tier (encoded) and the pieces of its later tiers, in order (null for no term;
  // undefined while its piece is missing).
  Store.prototype.postings = function (t) {
    var piece = this.piece("postings", lastAtMost(this.keys.postings, t));
    if (!piece) return undefined;
    var at = piece.index.get(t);
    if (at === undefined) return null;
    return { first: piece.postings[at[0]], later: T.decodeNumbers(piece.later[at[0]]) };
  };

  // Tier depth + 1 of term t (encoded), given the pieces of its later tiers (undefined while missing).
  Store.prototype.tier = function (t, later, depth) {
    var piece = this.piece("tiers", later[depth]);
    if (!piece) return undefined;
    var before = 0; // earlier tiers of t in this same piece
    for (var d = 0; d < depth; d++) if (later[d] === later[depth]) before++;
    return piece.postings[piece.index.get(t)[before]];
  };

  // (level, paper) pairs of a tier (search_tiers.encode_tier), appended to levels and docs, continuing
  // from their last pair.
  Store.decodeTier = function (encoded, levels, docs) {
    var values = T.decodeNumbers(encoded), n = levels.length;
    var level = n ? levels[n - 1] : null, doc = n ? docs[n - 1] : -1;
    for (var i = 0; i < values.length; i += 2) {
      var drop = values[i], same = level !== null && drop === 0;
      level = level === null ? drop : level - drop;
      doc = same ? doc + 1 + values[i + 1] : values[i + 1];
      levels.push(level);
      docs.push(doc);
    }
  };

  // Paper doc's record in a by-number file of kind ("docs": [title, slug]; "text": its abstract).
  Store.prototype.record = function (kind, doc) {
    var piece = this.piece(kind, Math.floor(doc / this.perPiece[kind]));
    var record = piece && piece.items[doc - piece.first];
    return kind === "docs" && record && record.length === 1 ? [record[0], plainSlug(record[0])] : record;
  };

  // The slug a title gives by sitegen/search.py's plain_slug (a result's record omits it when equal).
  var SLUG_MAX = 80;
  function plainSlug(title) {
    var words = title.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase().match(/[a-z0-9]+/g) || [];
    var slug = "";
    for (var i = 0; i < words.length; i++) {
      if (slug.length + words[i].length + (slug ? 1 : 0) > SLUG_MAX) break;
      slug = slug ? slug + "-" + words[i] : words[i];
    }
    return slug;
  }
  Store.plainSlug = plainSlug;

  // A piece's URL: beside the catalog, with the version the catalog gives its kind.
  Store.url = function (catalogUrl, kind, number, versions) {
    return new URL(kind + "/" + number + ".js?v=" + versions[kind], catalogUrl).href;
  };

  global.sitegenSearchStore = Store;
})(self);
