// The anchor's optimizeImage pipeline (sharp: metadata -> resize longest side to 800 -> JPEG quality 80), timed.
// node sharp_worker.mjs SHARP_BASE   (SHARP_BASE: a directory whose node_modules holds sharp)
// Each line on stdin names a JPEG; each answer on stdout is {"ms": ..., "bytes": ...}.
import { createRequire } from 'module';
import { readFileSync } from 'fs';
import { join } from 'path';
import { createInterface } from 'readline';

const sharp = createRequire(join(process.argv[2], 'package.json'))('sharp');

async function optimize(buffer) {
  const pipeline = sharp(buffer);
  const meta = await pipeline.metadata();
  let resized = pipeline;
  if (meta.width && meta.height && Math.max(meta.width, meta.height) > 800) {
    resized = pipeline.resize(meta.width > meta.height ? { width: 800 } : { height: 800 });
  }
  return resized.jpeg({ quality: 80 }).toBuffer();
}

const cache = new Map();
for await (const line of createInterface({ input: process.stdin })) {
  const name = line.trim();
  if (!cache.has(name)) cache.set(name, readFileSync(name));
  const start = process.hrtime.bigint();
  const out = await optimize(cache.get(name));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(JSON.stringify({ ms, bytes: out.length }) + '\n');
}
