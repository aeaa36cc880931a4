// The demo page's static routes: exactly the files in the table, with their types, and a
// page that loads nothing from anywhere but this server.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../common/package-info.js';
import { registerDemoRoutes } from '../../../server/routes/demo-route.js';
import { startServer } from './helpers/server-harness.js';

const publicDir = path.join(packageRoot(), 'server', 'public');

describe('demo routes', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    registerDemoRoutes(app);
    await app.ready();
  });
  afterAll(() => app.close());

  it.each([
    ['/', 'index.html', 'text/html; charset=utf-8'],
    ['/demo.js', 'demo.js', 'text/javascript; charset=utf-8'],
    ['/capture-worklet.js', 'capture-worklet.js', 'text/javascript; charset=utf-8'],
  ])('serves %s from server/public/%s', async (url, file, type) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toBe(await readFile(path.join(publicDir, file), 'utf8'));
  });

  it.each(['/index.html', '/demo-route.ts', '/..%2fpackage.json', '/%2e%2e/package.json', '/public/demo.js'])(
    'serves nothing else: %s is 404',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
    },
  );

  it('loads only files this server serves, and nothing from other hosts', async () => {
    const html = await readFile(path.join(publicDir, 'index.html'), 'utf8');
    const demo = await readFile(path.join(publicDir, 'demo.js'), 'utf8');
    const worklet = await readFile(path.join(publicDir, 'capture-worklet.js'), 'utf8');
    const speak = await readFile(path.join(publicDir, 'speak.js'), 'utf8');
    const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
    const modules = [...demo.matchAll(/new URL\('([^']+\.js)', import\.meta\.url\)/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['demo.js', 'speak.js']);
    expect(modules).toEqual(['capture-worklet.js']);
    for (const file of [...scripts, ...modules]) {
      const res = await app.inject({ method: 'GET', url: new URL(file, 'http://x/').pathname });
      expect(res.statusCode, file).toBe(200);
    }
    for (const text of [html, demo, worklet, speak]) {
      expect(text).not.toMatch(/\b(?:https?|wss?):\/\//);
      expect(text).not.toMatch(/<link[^>]+href="(?!data:)/);
    }
  });
});

describe('demo routes in the app', () => {
  it('stay open when API keys guard /v1/', async () => {
    const server = await startServer({}, { apiKeys: ['secret'] });
    try {
      const page = await fetch(`${server.http}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="demo.js">');
      expect((await fetch(`${server.http}/capture-worklet.js`)).status).toBe(200);
      expect((await fetch(`${server.http}/v1/models`)).status).toBe(401);
      const models = await fetch(`${server.http}/v1/models`, { headers: { authorization: 'Bearer secret' } });
      expect(models.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
