// The anchor's optimizeImage pipeline (sharp: metadata -> resize longest side to 800 -> JPEG quality 80), timed.
// node sharp_worker.mjs SHARP_BASE REPEAT FILE...   (SHARP_BASE: a directory whose node_modules holds sharp)
// Prints JSON {file: {ms: [...], bytes: n}}; the first run of each file is a warm-up.
import { createRequire } from 'module';
import { readFileSync } from 'fs';
import { basename, join } from 'path';

const [base, repeatText, ...files] = process.argv.slice(2);
const sharp = createRequire(join(base, 'package.json'))('sharp');

async function optimize(buffer) {
  const pipeline = sharp(buffer);
  const meta = await pipeline.metadata();
  let resized = pipeline;
  if (meta.width && meta.height && Math.max(meta.width, meta.height) > 800) {
    resized = pipeline.resize(meta.width > meta.height ? { width: 800 } : { height: 800 });
  }
  return resized.jpeg({ quality: 80 }).toBuffer();
}

const out = {};
for (const file of files) {
  const data = readFileSync(file);
  let result = await optimize(data);
  const ms = [];
  for (let i = 0; i < Number(repeatText); i++) {
    const start = process.hrtime.bigint();
    result = await optimize(data);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  out[basename(file)] = { ms, bytes: result.length };
}
console.log(JSON.stringify(out));
