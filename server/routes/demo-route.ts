import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../common/package-info.js';

/** The browser demo: a few static files served from server/public (no directory listing, no traversal). */
const FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/demo.js': 'demo.js',
  '/speak.js': 'speak.js',
  '/capture-worklet.js': 'capture-worklet.js',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

export function registerDemoRoutes(app: FastifyInstance): void {
  const dir = path.join(packageRoot(), 'server', 'public');
  for (const [route, file] of Object.entries(FILES)) {
    app.get(route, async (_request, reply) => {
      const body = await readFile(path.join(dir, file));
      reply.header('content-type', TYPES[path.extname(file)] ?? 'application/octet-stream');
      reply.header('cache-control', 'no-cache');
      return reply.send(body);
    });
  }
}
