// The genzoo demo page: the shipped ONNX generators (served under /models/) run by onnxruntime-web
// (served under /ort/, installed by `npm ci --prefix web`; nothing comes from the internet).
// window.genzoo is the page's API, used by the browser test (tests/web/test_page.py) and handy in
// the console: await genzoo.generate("wgan_gp", z) -> a Float32Array of the images.
import * as ort from "/ort/ort.wasm.min.mjs";

ort.env.wasm.numThreads = 1; // one thread: no cross-origin isolation needed, and exact repeats
ort.env.wasm.wasmPaths = "/ort/";

const $ = (id) => document.getElementById(id);
const models = new Map(); // name -> {info, session, encoder}
let seed = 0;

// -- numbers -------------------------------------------------------------------------------------

function mulberry32(a) { // a small seeded PRNG, so that a seed means the same codes every time
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussianCodes(n, dim, s) { // standard normal codes (Box-Muller), n x dim, row-major
  const rand = mulberry32(s * 7919 + 1);
  const z = new Float32Array(n * dim);
  for (let i = 0; i < z.length; i += 2) {
    const u = Math.max(rand(), 1e-12), v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    z[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < z.length) z[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return z;
}

// -- the models ----------------------------------------------------------------------------------

async function generate(name, z, labels) {
  const m = models.get(name);
  if (!m) throw new Error(`no model ${name}`);
  const dim = m.info.latent_dim;
  const n = z.length / dim;
  const feeds = { z: new ort.Tensor("float32", Float32Array.from(z), [n, dim]) };
  if (m.info.num_classes !== null) {
    if (!labels) throw new Error(`${name} is conditional: pass labels`);
    feeds.label = new ort.Tensor("int32", Int32Array.from(labels), [n]);
  }
  const out = await m.session.run(feeds);
  return out[m.info.output.name].data;
}

async function encode(name, images) {
  const m = models.get(name);
  if (!m || !m.encoder) throw new Error(`${name} has no encoder`);
  const shape = m.info.data_shape;
  const size = shape.reduce((a, b) => a * b, 1);
  const n = images.length / size;
  const out = await m.encoder.run({ [m.info.output.name]: new ort.Tensor("float32", Float32Array.from(images), [n, ...shape]) });
  return { mean: out.mean.data, log_var: out.log_var.data };
}

// -- drawing -------------------------------------------------------------------------------------

function drawImage(ctx, data, offset, info, x, y, size) {
  const [h, w, c] = info.data_shape;
  const [lo, hi] = info.output.range;
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    for (let k = 0; k < 3; k++) {
      const v = data[offset + i * c + (c === 1 ? 0 : k)];
      img.data[4 * i + k] = Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo))));
    }
    img.data[4 * i + 3] = 255;
  }
  const tmp = document.createElement("canvas");
  tmp.width = w; tmp.height = h;
  tmp.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, x, y, size, size);
}

function drawGrid(canvas, data, info, n, columns) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const size = canvas.width / columns;
  const per = info.data_shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    drawImage(ctx, data, i * per, info, (i % columns) * size, Math.floor(i / columns) * size, size);
  }
}

function drawPoints(canvas, data) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  let bound = 1;
  for (const v of data) bound = Math.max(bound, Math.abs(v));
  bound *= 1.1;
  const scale = canvas.width / (2 * bound);
  ctx.fillStyle = "rgba(20, 80, 200, 0.35)";
  for (let i = 0; i < data.length; i += 2) {
    ctx.fillRect((data[i] + bound) * scale - 1.5, (bound - data[i + 1]) * scale - 1.5, 3, 3);
  }
}

// -- the page ------------------------------------------------------------------------------------

const GRID = 16, POINTS = 1000, STEPS = 10;
const isImage = (info) => info.output.range !== null;
const current = () => models.get($("model").value);
const labelsFor = (info, n) => (info.num_classes === null ? null : new Array(n).fill(Number($("label").value)));

async function render() {
  const m = current();
  const info = m.info;
  $("seed").value = seed;
  $("label-picker").hidden = info.num_classes === null;
  $("latent-section").hidden = $("interp-section").hidden = !isImage(info);
  $("draw-section").hidden = !(m.encoder && info.num_classes === null && info.data_shape[0] === 28);
  $("about").textContent = `${info.name} version ${info.version}: ${info.model} trained on ${info.dataset}, z of size ${info.latent_dim}`;
  const n = isImage(info) ? GRID : POINTS;
  const z = gaussianCodes(n, info.latent_dim, seed);
  const out = await generate(info.name, z, labelsFor(info, n));
  if (!isImage(info)) { drawPoints($("grid"), out); return; }
  drawGrid($("grid"), out, info, GRID, 4);
  await renderMoved();
  // interpolation from sample 1 to sample 2
  const dim = info.latent_dim;
  const path = new Float32Array(STEPS * dim);
  for (let s = 0; s < STEPS; s++) {
    const t = s / (STEPS - 1);
    for (let d = 0; d < dim; d++) path[s * dim + d] = (1 - t) * z[d] + t * z[dim + d];
  }
  drawGrid($("interpolation"), await generate(info.name, path, labelsFor(info, STEPS)), info, STEPS, STEPS);
}

function buildSliders(info) {
  const box = $("sliders");
  box.replaceChildren();
  for (let d = 0; d < Math.min(3, info.latent_dim); d++) {
    const label = document.createElement("label");
    label.textContent = `z[${d}] + `;
    const input = Object.assign(document.createElement("input"), { type: "range", min: -3, max: 3, step: 0.1, value: 0 });
    input.dataset.dim = d;
    input.addEventListener("input", () => renderMoved());
    label.append(input);
    box.append(label);
  }
}

async function renderMoved() {
  const info = current().info;
  const z = gaussianCodes(1, info.latent_dim, seed);
  for (const input of $("sliders").querySelectorAll("input")) z[Number(input.dataset.dim)] += Number(input.value);
  drawGrid($("moved"), await generate(info.name, z, labelsFor(info, 1)), info, 1, 1);
}

function setUpDrawing() {
  const canvas = $("draw");
  const ctx = canvas.getContext("2d");
  const clear = () => { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  clear();
  let down = false;
  const at = (e) => { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  canvas.addEventListener("pointerdown", (e) => { down = true; ctx.beginPath(); ctx.moveTo(...at(e)); });
  canvas.addEventListener("pointermove", (e) => {
    if (!down) return;
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 18; ctx.lineCap = "round"; ctx.lineJoin = "round";
    ctx.lineTo(...at(e)); ctx.stroke();
  });
  const finish = () => { if (down) { down = false; reconstructDrawing(); } };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointerleave", finish);
  $("clear").addEventListener("click", () => { clear(); $("reconstruction").getContext("2d").clearRect(0, 0, 224, 224); });
}

function drawingAsImage() { // the drawing, averaged down to 28 x 28 values in [0, 1]
  const canvas = $("draw");
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const block = canvas.width / 28;
  const image = new Float32Array(28 * 28);
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      image[Math.floor(y / block) * 28 + Math.floor(x / block)] += pixels[4 * (y * canvas.width + x)] / 255 / (block * block);
    }
  }
  return image;
}

async function reconstruct(name, image) { // the decoder's output at the posterior mean
  const { mean } = await encode(name, image);
  return generate(name, mean, null);
}

async function reconstructDrawing() {
  const m = current();
  drawGrid($("reconstruction"), await reconstruct(m.info.name, drawingAsImage()), m.info, 1, 1);
}

async function start() {
  const index = await (await fetch("/models/index.json")).json();
  for (const info of index) {
    const session = await ort.InferenceSession.create(info.onnx, { executionProviders: ["wasm"] });
    const encoder = info.encode_onnx ? await ort.InferenceSession.create(info.encode_onnx, { executionProviders: ["wasm"] }) : null;
    models.set(info.name, { info, session, encoder });
    $("model").append(new Option(`${info.name} (${info.dataset})`, info.name));
  }
  if (models.has("wgan_gp")) $("model").value = "wgan_gp"; // the zoo's best digits first
  $("model").addEventListener("change", () => { buildSliders(current().info); fillLabels(); render(); });
  $("label").addEventListener("change", render);
  $("new-seed").addEventListener("click", () => { seed += 1; render(); });
  setUpDrawing();
  buildSliders(current().info);
  fillLabels();
  await render();
  $("status").textContent = `${models.size} models loaded (onnxruntime-web ${ort.env.versions.web}, WebAssembly)`;
  return [...models.keys()];
}

function fillLabels() {
  const info = current().info;
  const select = $("label");
  select.replaceChildren();
  for (let k = 0; k < (info.num_classes ?? 0); k++) select.append(new Option(String(k), String(k)));
}

const ready = start().catch((err) => {
  $("status").textContent = `could not load the models: ${err}`;
  $("status").className = "error";
  throw err;
});

window.genzoo = {
  ready, // resolves to the names of the loaded models
  generate: async (name, z, labels) => Array.from(await generate(name, z, labels)),
  encode: async (name, images) => { const r = await encode(name, images); return { mean: Array.from(r.mean), log_var: Array.from(r.log_var) }; },
  reconstruct: async (name, image) => Array.from(await reconstruct(name, image)),
  drawingAsImage: () => Array.from(drawingAsImage()),
  models: () => [...models.values()].map((m) => m.info),
};
