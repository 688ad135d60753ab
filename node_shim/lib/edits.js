'use strict';
// Text insertions into a source file, applied in one pass. Nothing is ever deleted, so every
// original character keeps its line; insertions must not contain newlines (stack traces and the
// inspector keep the app's own line numbers).
//
// Nesting at one position is decided by the span of the node an insertion belongs to: before a
// position, the text of a larger node comes first (it opens outside); after a position, the text
// of a smaller node comes first (it closes inside).

class Edits {
  constructor(source) {
    this.source = source;
    this.items = [];
    this.seq = 0;
  }

  /** Insert `text` before offset `pos`, for a node of size `span` that starts there. */
  before(pos, text, span = 0) {
    this.items.push({ pos, text, side: 0, span, seq: this.seq++ });
  }

  /** Insert `text` at offset `pos`, for a node of size `span` that ends there. */
  after(pos, text, span = 0) {
    this.items.push({ pos, text, side: 1, span, seq: this.seq++ });
  }

  /** Wrap a node: `open` before its start, `close` after its end. */
  wrap(node, open, close) {
    const span = node.end - node.start;
    this.before(node.start, open, span);
    this.after(node.end, close, span);
  }

  /**
   * What will stand first at each offset where text is inserted before a node: offset -> the
   * first character of the text that comes first there (see applyWithMap's order).
   */
  leadingChars() {
    const best = new Map();
    for (const item of this.items) {
      if (item.side !== 0 || item.text === '') continue;
      const b = best.get(item.pos);
      if (b === undefined || item.span > b.span || (item.span === b.span && item.seq < b.seq)) best.set(item.pos, item);
    }
    const out = new Map();
    for (const [pos, item] of best) out.set(pos, item.text[0]);
    return out;
  }

  /** The rewritten source. */
  apply() {
    return this.applyWithMap().code;
  }

  /**
   * The rewritten source and where text went in: `inserts` lists [offset in the original source,
   * total length inserted there], by offset, so that positions can be mapped back.
   */
  applyWithMap() {
    const items = this.items.slice().sort((a, b) => {
      if (a.pos !== b.pos) return a.pos - b.pos;
      // Closing text of nodes ending here goes before opening text of nodes starting here.
      if (a.side !== b.side) return b.side - a.side;
      if (a.side === 0) return b.span - a.span || a.seq - b.seq;
      return a.span - b.span || b.seq - a.seq;
    });
    const parts = [];
    const inserts = [];
    let last = 0;
    for (const item of items) {
      if (/[\n\r\u2028\u2029]/.test(item.text)) throw new Error('an insertion must not add a line');
      if (item.text === '') continue;
      parts.push(this.source.slice(last, item.pos), item.text);
      const prev = inserts[inserts.length - 1];
      if (prev && prev[0] === item.pos) prev[1] += item.text.length;
      else inserts.push([item.pos, item.text.length]);
      last = item.pos;
    }
    parts.push(this.source.slice(last));
    return { code: parts.join(''), inserts };
  }
}

module.exports = { Edits };
