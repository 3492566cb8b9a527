/* The search index in pieces (sitegen/search.py writes them): the catalog, read once, says where every
 * piece starts; lexicon and postings pieces are found by term (the last piece whose key is not above
 * it), docs and text pieces by paper number (a fixed number of papers each). Whatever is asked for and
 * not here yet is noted as missing, for fill() to fetch. Used by search-engine.js; needs search-text.js.
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
    this.k1 = catalog.k1;
    this.b = catalog.b;
    this.fields = catalog.fields.map(function (f) {
      // Each paper's length: exact, or (a scaled field) the average times a power of the catalog's step.
      var average = catalog.averages[f[0]] || 1, codes = T.decodeNumbers(catalog.lengths[f[0]]);
      var scaled = catalog.scaled.indexOf(f[0]) >= 0;
      var lengths = Float64Array.from(codes, function (c) {
        return scaled && c ? average * Math.pow(catalog.lengthStep, c - catalog.lengthMiddle) : c;
      });
      return { name: f[0], boost: f[1], lengths: lengths, average: average };
    });
    this.themes = catalog.themes;
    this.themeOf = new Int32Array(n);
    var runs = T.decodeNumbers(catalog.themeRuns), at = 0;
    for (var r = 0; r < runs.length; r += 2) { this.themeOf.fill(runs[r], at, at + runs[r + 1]); at += runs[r + 1]; }
    this.acronyms = catalog.acronyms;
    this.keys = { lexicon: catalog.lexicon, postings: catalog.postings };
    this.perPiece = { docs: catalog.docs, text: catalog.text }; // consecutive papers a piece
    this.pieces = { lexicon: new Map(), postings: new Map(), docs: new Map(), text: new Map() };
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
          self.pieces[kind].set(number, prepare(kind, payload));
        }, function (error) {
          self.loading.delete(key); // asked for again by the next request
          throw error;
        }));
      }
      return self.loading.get(key);
    }));
  };

  function prepare(kind, payload) {
    if (kind === "lexicon") {
      var counts = T.decodeNumbers(payload.counts), at = new Map();
      payload.terms.forEach(function (t, i) { at.set(t, counts[i]); });
      return { terms: payload.terms, counts: at };
    }
    if (kind === "postings") {
      var index = new Map(), fields = {};
      payload.terms.forEach(function (t, i) { index.set(t, i); });
      Object.keys(payload.postings).forEach(function (f) { fields[f] = payload.postings[f].split(" "); });
      return { index: index, fields: fields };
    }
    return { first: payload.first, items: payload[kind] };
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

  // Term t's encoded postings per field ({} for no term; undefined while its piece is missing).
  Store.prototype.postings = function (t) {
    var piece = this.piece("postings", lastAtMost(this.keys.postings, t));
    if (!piece) return undefined;
    var i = piece.index.get(t), out = {};
    if (i !== undefined) Object.keys(piece.fields).forEach(function (f) { out[f] = piece.fields[f][i]; });
    return out;
  };

  // Paper doc's record in a by-number file of kind ("docs": [title, slug]; "text": its abstract).
  Store.prototype.record = function (kind, doc) {
    var piece = this.piece(kind, Math.floor(doc / this.perPiece[kind]));
    return piece && piece.items[doc - piece.first];
  };

  // A piece's URL: beside the catalog, with the version the catalog gives its kind.
  Store.url = function (catalogUrl, kind, number, versions) {
    return new URL(kind + "/" + number + ".js?v=" + versions[kind], catalogUrl).href;
  };

  global.sitegenSearchStore = Store;
})(self);
