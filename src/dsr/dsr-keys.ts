import type { Provider } from '@nestjs/common';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { KeyRing } from '../common/crypto/key-ring';

/** The DSR key ring: DSR_ENCRYPTION_KEYS, else a key file under DATA_DIR created at first use. */
export const DSR_KEY_RING = Symbol('DSR_KEY_RING');
export type DsrKeyRing = KeyRing;

export const dsrKeyRingProvider: Provider = {
  provide: DSR_KEY_RING,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): KeyRing =>
    KeyRing.fromConfig({
      keys: config.dsrEncryptionKeys,
      keyFile: config.dsrKeyFile ?? join(config.dataDir, 'keys', 'dsr-encryption.json'),
      // A key file the operator named must exist: creating a new key there would orphan what it encrypted.
      createIfMissing: config.dsrKeyFile === undefined,
    }),
};
