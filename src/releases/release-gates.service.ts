import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { ProductGatePolicy, ReleaseGatesPolicy } from './domain/release-model';
import { loadReleaseGates } from './release-gates-loader';
import { ReleaseGatesInvalidError } from './releases.errors';
import { ValidationError } from '../common/errors/app-error';

/** Fingerprints of a product's findings covered by an accepted, unexpired exception at a moment. */
export type AcceptedExceptions = (product: string, now: Date) => Promise<ReadonlySet<string>>;

/**
 * controls/release-gates.yaml, loaded once (a change is a reviewed commit and a restart). An invalid file
 * does not stop the start (the rest of the product works; release routes answer 422 until it is fixed),
 * but it is said at start, every problem as file:line.
 */
@Injectable()
export class ReleaseGatesService implements OnApplicationBootstrap {
  private readonly log = new Logger('ReleaseGates');
  private loaded: ReleaseGatesPolicy | null = null;
  private accepted: AcceptedExceptions | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    try {
      this.policy();
    } catch (e) {
      if (!(e instanceof ReleaseGatesInvalidError)) throw e;
      this.log.error(`${e.message}\nrelease routes answer 422 until controls/release-gates.yaml is fixed`);
    }
  }

  /** The policy; ReleaseGatesInvalidError (422, every problem with file:line) when the file is wrong. */
  policy(): ReleaseGatesPolicy {
    if (!this.loaded) {
      const { policy, problems } = loadReleaseGates(this.config.controlsDir);
      if (!policy) throw new ReleaseGatesInvalidError(problems);
      this.loaded = policy;
    }
    return this.loaded;
  }

  /**
   * Where accepted, unexpired exceptions come from (the findings register registers itself at start: it
   * depends on this module, so this module does not import it).
   */
  useAcceptedExceptions(source: AcceptedExceptions): void {
    this.accepted = source;
  }

  /** Fingerprints of the product's findings under an accepted exception at `now`; none without a register. */
  acceptedExceptions(product: string, now: Date): Promise<ReadonlySet<string>> {
    return this.accepted ? this.accepted(product, now) : Promise.resolve(new Set());
  }

  /** The product's gates; 400 naming `product` when the file has no such product. */
  product(key: string): ProductGatePolicy {
    const product = this.policy().products.find((p) => p.key === key);
    if (!product)
      throw new ValidationError(
        [{ field: 'product', message: `is not a product of controls/release-gates.yaml (${this.keys()})` }],
        undefined,
        'release.unknown_product',
      );
    return product;
  }

  private keys(): string {
    return this.policy()
      .products.map((p) => p.key)
      .join(', ');
  }
}
