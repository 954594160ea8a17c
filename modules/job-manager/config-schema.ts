/** The config tables job-manager reads (flux-config-job-manager(5)); checked by the broker at start. */
import type { ConfigSchema } from '../../kernel/api';
import { queueConfigSchema } from './queues';
import { pluginsConfigSpec } from './jobtap/config';
import { perilogConfigKeys } from './jobtap/perilog-config';
import { housekeepingConfigKeys } from './housekeeping/config';

export const jobManagerConfigSchema: ConfigSchema = {
  'job-manager': {
    kind: 'table',
    keys: {
      'inactive-age-limit': { kind: 'fsd' },
      'inactive-num-limit': { kind: 'integer', min: 0 },
      plugins: pluginsConfigSpec,
      ...perilogConfigKeys,
      ...housekeepingConfigKeys,
    },
  },
  ...queueConfigSchema,
};
