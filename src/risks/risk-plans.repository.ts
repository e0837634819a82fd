import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ConflictError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/db/unique-violation';
import { RiskPlanVersion } from './risk-plan-version.entity';
import { RiskPlan } from './risk-plan.entity';

/** The only place with query code for risk management plans and their versions. */
@Injectable()
export class RiskPlansRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  findByProduct(product: string): Promise<RiskPlan | null> {
    return this.ds.manager.findOne(RiskPlan, { where: { product } });
  }

  /** Takes the plan's row lock for a change, so concurrent changes get consecutive versions. */
  lockByProduct(product: string, m: EntityManager): Promise<RiskPlan | null> {
    return m
      .createQueryBuilder(RiskPlan, 'p')
      .setLock('pessimistic_write')
      .where('p.product = :product', { product })
      .getOne();
  }

  async list(page: { limit: number; offset: number }): Promise<{ rows: RiskPlan[]; total: number }> {
    const [rows, total] = await this.ds.manager.findAndCount(RiskPlan, {
      order: { product: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { rows, total };
  }

  async insert(values: Partial<RiskPlan>, m: EntityManager): Promise<RiskPlan> {
    try {
      return await m.save(RiskPlan, m.create(RiskPlan, values));
    } catch (e) {
      if (isUniqueViolation(e, 'UQ_risk_plans_product'))
        throw new ConflictError(
          'risk_plan.version_conflict',
          `A plan for ${values.product} was created meanwhile: reload it and apply your change again.`,
        );
      throw e;
    }
  }

  async update(id: string, values: Partial<RiskPlan>, m: EntityManager): Promise<void> {
    await m.update(RiskPlan, { id }, values);
  }

  async insertVersion(values: Omit<RiskPlanVersion, 'id' | 'at' | 'plan'>, m: EntityManager): Promise<void> {
    await m.insert(RiskPlanVersion, values as QueryDeepPartialEntity<RiskPlanVersion>);
  }

  versionsOf(planId: string): Promise<RiskPlanVersion[]> {
    return this.ds.manager.find(RiskPlanVersion, { where: { planId }, order: { version: 'DESC' } });
  }
}
