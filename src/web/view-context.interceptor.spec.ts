import 'reflect-metadata';
import type { DynamicModule, Type } from '@nestjs/common';
import { INTERCEPTORS_METADATA, MODULE_METADATA, RENDER_METADATA } from '@nestjs/common/constants';
import { AppModule } from '../app.module';
import type { AppConfig } from '../config/config';
import { ViewContextInterceptor } from './view-context.interceptor';
import { PAGE_CONTROLLERS } from './web.module';

type ModuleRef = Type<unknown> | DynamicModule | Promise<DynamicModule> | { forwardRef: () => unknown };

/** Every controller the application mounts, found by walking its modules' imports. */
function controllersOf(root: ModuleRef): Type<unknown>[] {
  const seen = new Set<unknown>();
  const controllers = new Set<Type<unknown>>();
  const visit = (ref: ModuleRef | undefined): void => {
    if (!ref || seen.has(ref)) return;
    seen.add(ref);
    if ('forwardRef' in ref) return visit(ref.forwardRef() as ModuleRef);
    const dynamic = typeof ref === 'object' && 'module' in ref ? (ref as DynamicModule) : undefined;
    const type = (dynamic?.module ?? ref) as Type<unknown>;
    for (const c of [
      ...(dynamic?.controllers ?? []),
      ...(Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, type) ?? []),
    ])
      controllers.add(c);
    for (const m of [...(dynamic?.imports ?? []), ...(Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) ?? [])])
      visit(m as ModuleRef);
    if (type !== ref) visit(type);
  };
  visit(root);
  return [...controllers];
}

const interceptorsOf = (target: object): unknown[] => Reflect.getMetadata(INTERCEPTORS_METADATA, target) ?? [];

describe('ViewContextInterceptor: on every rendered page, and on no JSON API route', () => {
  const controllers = controllersOf(AppModule.forRoot({ logLevel: 'info' } as AppConfig));

  it('finds the application’s controllers, the page controllers among them', () => {
    expect(controllers.length).toBeGreaterThan(PAGE_CONTROLLERS.length);
    for (const page of PAGE_CONTROLLERS) expect(controllers).toContain(page);
  });

  it('every @Render handler of every controller has it (the header, menu and unread count of the page)', () => {
    const rendered: string[] = [];
    for (const controller of controllers) {
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(RENDER_METADATA, handler) === undefined) continue;
        rendered.push(`${controller.name}.${name}`);
        const chain = [...interceptorsOf(controller), ...interceptorsOf(handler)];
        expect([`${controller.name}.${name}`, chain.includes(ViewContextInterceptor)]).toEqual([
          `${controller.name}.${name}`,
          true,
        ]);
      }
    }
    expect(rendered.length).toBeGreaterThan(30);
  });

  it('no controller outside the pages has it (API routes pay nothing for it)', () => {
    for (const controller of controllers.filter((c) => !PAGE_CONTROLLERS.includes(c as never)))
      expect([controller.name, interceptorsOf(controller).includes(ViewContextInterceptor)]).toEqual([
        controller.name,
        false,
      ]);
  });
});
