import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { ValidationError } from '../errors/app-error';
import { createValidationPipe } from './validation.pipe';

class Item {
  @IsString() @MaxLength(5) title: string;
}
class Body {
  @IsString() name: string;
  @IsOptional() @IsInt() count?: number;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => Item) items?: Item[];
}

async function problemsOf(value: unknown) {
  try {
    await createValidationPipe().transform(value, { type: 'body', metatype: Body });
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).errors;
  }
  throw new Error('expected a validation error');
}

describe('global validation pipe', () => {
  it('rejects unknown fields by name', async () => {
    expect(await problemsOf({ name: 'x', colour: 'red' })).toEqual([
      { field: 'colour', message: 'is not an allowed field' },
    ]);
  });

  it('says the same of unknown fields whose names hold spaces or are empty', async () => {
    expect(await problemsOf({ name: 'x', 'a b': 1, '': 2 })).toEqual([
      { field: 'a b', message: 'is not an allowed field' },
      { field: '', message: 'is not an allowed field' },
    ]);
  });

  it('refuses an array or a scalar as the body with one problem naming the body', async () => {
    expect(await problemsOf([{ name: 'x' }, 'y'])).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
    expect(await problemsOf(3)).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
  });

  it('names nested fields with dotted paths', async () => {
    expect(await problemsOf({ name: 'x', items: [{ title: 'ok' }, { title: 'far too long' }] })).toEqual([
      { field: 'items.1.title', message: 'title must be shorter than or equal to 5 characters' },
    ]);
  });

  it('reports every problem, with the wrong types', async () => {
    const problems = await problemsOf({ count: 'three' });
    expect(problems.map((p) => p.field).sort()).toEqual(['count', 'name']);
  });

  it('passes a valid body through, transformed to the DTO class', async () => {
    const out = await createValidationPipe().transform({ name: 'x', count: 3 }, { type: 'body', metatype: Body });
    expect(out).toBeInstanceOf(Body);
    expect(out).toEqual({ name: 'x', count: 3 });
  });
});
