import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { AUTHENTICATED_ROUTE, PUBLIC_ROUTE, ROUTE_POLICY, RoutePolicy } from '../../src/authz/policy.decorator';

export interface RouteInfo {
  method: string;
  path: string;
  controller: string;
  handler: string;
  access: { kind: 'public' } | { kind: 'authenticated' } | { kind: 'policy'; policy: RoutePolicy } | { kind: 'none' };
}

const join = (...parts: (string | undefined)[]) =>
  '/' +
  parts
    .flatMap((p) => (p ?? '').split('/'))
    .filter(Boolean)
    .join('/');

/** Every route the application's controllers declare, read from the same metadata Nest routes by. */
export function routeTable(app: INestApplication): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const meta = (key: string) => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller);
        const policy = meta(ROUTE_POLICY) as RoutePolicy | undefined;
        const access: RouteInfo['access'] = meta(PUBLIC_ROUTE)
          ? { kind: 'public' }
          : meta(AUTHENTICATED_ROUTE)
            ? { kind: 'authenticated' }
            : policy
              ? { kind: 'policy', policy }
              : { kind: 'none' };
        for (const b of [base].flat()) {
          for (const p of [path].flat()) {
            routes.push({
              method: RequestMethod[method],
              path: join(b, p),
              controller: controller.name,
              handler: name,
              access,
            });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => (a.path + a.method).localeCompare(b.path + b.method));
}
