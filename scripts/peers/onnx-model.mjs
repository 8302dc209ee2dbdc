// The modern Hopfield update (Ramsauer et al., eq. 3, batched as eq. 23) as an ONNX model, for
// ONNX Runtime Web in scripts/bench-peers.mjs: the stored patterns X (N × d) are an initializer
// (kept by the runtime, as the lab keeps them in wasm memory), the queries Ξ (Q × d) the input:
//
//   S = Gemm(Ξ, X, alpha = β, transB = 1) = β Ξ Xᵀ     (Q × N)
//   P = Softmax(S, axis = -1)                          (Q × N)   output "p"
//   Ξ' = MatMul(P, X)                                   (Q × d)   output "state"
//
// Written here with a minimal protobuf encoder (only the fields of onnx.proto this graph uses),
// so the benchmark needs no Python and no ONNX tooling. Opset 17, IR version 8.

/** Appends protobuf fields to a growing byte list. */
class Writer {
  constructor() { this.parts = []; this.length = 0; }
  bytes(b) { this.parts.push(b); this.length += b.length; }
  varint(v) {
    const out = [];
    let n = BigInt.asUintN(64, BigInt(v)); // negative int64: two's complement, ten bytes
    do { let byte = Number(n & 0x7fn); n >>= 7n; if (n > 0n) byte |= 0x80; out.push(byte); } while (n > 0n);
    this.bytes(Uint8Array.from(out));
  }
  tag(field, wire) { this.varint((field << 3) | wire); }
  int(field, v) { this.tag(field, 0); this.varint(v); }
  float(field, v) { this.tag(field, 5); const b = new Uint8Array(4); new DataView(b.buffer).setFloat32(0, v, true); this.bytes(b); }
  raw(field, b) { this.tag(field, 2); this.varint(b.length); this.bytes(b); }
  string(field, s) { this.raw(field, new TextEncoder().encode(s)); }
  message(field, build) { const inner = new Writer(); build(inner); this.raw(field, inner.finish()); }
  finish() {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_FLOAT = 1, ATTR_INT = 2; // AttributeProto.AttributeType

/** ValueInfoProto of a float tensor of shape `dims`. */
function valueInfo(w, field, name, dims) {
  w.message(field, (v) => {
    v.string(1, name); // name
    v.message(2, (t) => t.message(1, (tt) => { // type.tensor_type
      tt.int(1, FLOAT); // elem_type
      tt.message(2, (shape) => { for (const d of dims) shape.message(1, (dim) => dim.int(1, d)); }); // shape.dim.dim_value
    }));
  });
}

/** NodeProto: op `op` from `inputs` to `outputs` with attributes `[name, kind, value]`. */
function node(w, op, inputs, outputs, attributes = []) {
  w.message(1, (n) => {
    for (const i of inputs) n.string(1, i);
    for (const o of outputs) n.string(2, o);
    n.string(3, `${op.toLowerCase()}_${outputs[0]}`);
    n.string(4, op);
    for (const [name, kind, value] of attributes) {
      n.message(5, (a) => {
        a.string(1, name);
        if (kind === ATTR_FLOAT) a.float(2, value); else a.int(3, value);
        a.int(20, kind);
      });
    }
  });
}

/** The model's bytes for stored patterns `x` (Float32Array, n × d), `q` queries and β. */
export function modernUpdateModel(x, n, d, q, beta) {
  if (x.length !== n * d) throw new Error(`onnx model: ${x.length} values for N = ${n}, d = ${d}`);
  const model = new Writer();
  model.int(1, 8); // ir_version
  model.string(2, 'emergence-lab bench'); // producer_name
  model.message(7, (g) => { // graph
    node(g, 'Gemm', ['queries', 'patterns'], ['scores'], [['alpha', ATTR_FLOAT, beta], ['transB', ATTR_INT, 1]]);
    node(g, 'Softmax', ['scores'], ['p'], [['axis', ATTR_INT, -1]]);
    node(g, 'MatMul', ['p', 'patterns'], ['state']);
    g.string(2, 'modern_hopfield_update'); // name
    g.message(5, (t) => { // initializer
      t.tag(1, 2); // dims, packed
      const dims = new Writer(); dims.varint(n); dims.varint(d);
      const packed = dims.finish(); t.varint(packed.length); t.bytes(packed);
      t.int(2, FLOAT); // data_type
      t.string(8, 'patterns'); // name
      t.raw(9, new Uint8Array(x.buffer, x.byteOffset, x.byteLength)); // raw_data (little-endian f32)
    });
    valueInfo(g, 11, 'queries', [q, d]); // input
    valueInfo(g, 12, 'state', [q, d]); // outputs
    valueInfo(g, 12, 'p', [q, n]);
  });
  model.message(8, (o) => { o.string(1, ''); o.int(2, 17); }); // opset_import
  return model.finish();
}
