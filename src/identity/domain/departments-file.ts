import { z } from 'zod';

/** controls/departments.yaml: the company's departments (owners of controls, homes of users). */
export const departmentsFileSchema = z
  .object({
    departments: z
      .array(
        z
          .object({
            key: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, 'must be lower-case letters, digits and dashes'),
            name: z.string().min(1).max(200),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
