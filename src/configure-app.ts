import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import Handlebars from 'handlebars';
import { Logger } from 'nestjs-pino';
import { dirname, join } from 'node:path';
import { AppModule } from './app.module';
import type { AppConfig } from './config/config';
import { APP_VERSION as VERSION } from './config/app-root';
import { requestIdFor } from './common/http/http-logger';
import { clientErrorHandler, frameworkErrors } from './common/http/framework-errors';
import { registerJsonBodyParser } from './common/http/json-body';
import { registerNulCharacterRule } from './common/http/nul-character-rule';
import { registerSecurityHeaders } from './common/http/security-headers';
import { ProblemDetailsFilter } from './web/problem-details.filter';
import { createValidationPipe } from './common/http/validation.pipe';
import { complianceTimeZone, zoneLabel } from './common/time/zone';

/** Builds the HTTP application exactly as `npm start` runs it; tests use the same function. */
export async function createApp(config: AppConfig, extra: Type<unknown>[] = []): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    genReqId: requestIdFor,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    // Idle keep-alive connections stay open longer than load balancers' idle timeouts (60 s on the common
    // ones): with Node's 5 s, a proxy (or a client whose event loop was busy) could reuse a connection the
    // app had just closed and get ECONNRESET (seen in CI after a test blocked for a CLI run).
    keepAliveTimeout: 65_000,
    // Errors Fastify answers before any route runs are problem documents as well.
    frameworkErrors,
    clientErrorHandler,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, extra), adapter, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false, // registerJsonBodyParser below, so malformed JSON is a 400 naming the body
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());

  configureRequests(app);
  await registerPlugins(app, config);
  await configureViews(app, config);
  configureOpenApi(app);

  new NestLogger('Attest').debug(`HTTP application configured (version ${VERSION})`);
  return app;
}

/** Body parsers and the request-id header on the Fastify instance. */
function configureRequests(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify);
  registerNulCharacterRule(fastify);
  // CSV bodies (risk register import) and YAML bodies (data map import) arrive as text; the route checks them.
  fastify.addContentTypeParser(
    ['text/csv', 'application/yaml', 'text/yaml'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}

/** Security headers (CSP), cookies, form and multipart bodies. */
async function registerPlugins(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  registerSecurityHeaders(app.getHttpAdapter().getInstance());
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: config.bodyLimitBytes });
  await app.register(multipart, { limits: { fileSize: config.uploadLimitBytes, files: 20, fields: 50 } });
}

/** The font files served under /assets/fonts/ (attest.css names them in its @font-face rules). */
const WEB_FONTS = ['/400Regular/Sarabun_400Regular.ttf', '/700Bold/Sarabun_700Bold.ttf'];

/** Static assets and the Handlebars view engine for the pages. */
async function configureViews(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const web = join(config.templatesDir, 'web');
  await app.register(fastifyStatic, { root: join(web, 'assets'), prefix: '/assets/', decorateReply: false });
  await app.register(fastifyStatic, {
    root: join(dirname(require.resolve('@picocss/pico/package.json')), 'css'),
    prefix: '/assets/vendor/',
    decorateReply: false,
    allowedPath: (path) => path === '/pico.min.css',
  });
  // Sarabun (the PDFs' font, SIL OFL) for the pages too, so Thai reads on a machine without a Thai font.
  // The files never change under their names: cached for a year.
  await app.register(fastifyStatic, {
    root: dirname(require.resolve('@expo-google-fonts/sarabun/package.json')),
    prefix: '/assets/fonts/',
    decorateReply: false,
    allowedPath: (path) => WEB_FONTS.includes(path),
    maxAge: '365d',
    immutable: true,
  });
  const handlebars = Handlebars.create();
  handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // Every POST form includes {{> csrf}}: the session's anti-forgery token (reply.locals, set by CsrfGuard; none
  // when signed out). Multipart forms put it in the action instead: action="…?_csrf={{@root.csrfToken}}".
  handlebars.registerPartial(
    'csrf',
    '{{#if @root.csrfToken}}<input type="hidden" name="_csrf" value="{{@root.csrfToken}}">{{/if}}',
  );
  // Times on pages are shown in the compliance time zone (TZ_COMPLIANCE), with the zone named.
  handlebars.registerHelper('datetime', (value: unknown) =>
    value
      ? `${new Date(String(value)).toLocaleString('en-GB', { timeZone: complianceTimeZone(), dateStyle: 'medium', timeStyle: 'short' })} ${zoneLabel()}`
      : '',
  );
  app.setViewEngine({ engine: { handlebars }, templates: web, layout: 'layout.hbs', viewExt: 'hbs' });
}

/** The OpenAPI document at /api/docs, /api/openapi.json and /api/openapi.yaml. */
function configureOpenApi(app: NestFastifyApplication): void {
  const openApi = new DocumentBuilder()
    .setTitle('Attest API')
    .setDescription(
      'Compliance and audit evidence: catalog, evidence, sweeps, DSRs, risks and audit packs. Errors are application/problem+json.',
    )
    .setVersion(VERSION)
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
  });
}
