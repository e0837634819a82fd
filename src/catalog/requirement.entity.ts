import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Framework } from './framework.entity';

/** A requirement of a framework (CC6.1, s30, 7.3), titled in our own words. Retired, never deleted. */
@Entity('requirements')
@Index('UQ_requirements_framework_ref', ['frameworkId', 'ref'], { unique: true })
export class Requirement {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_requirements' })
  id: string;

  @Column({ name: 'framework_id', type: 'uuid' })
  frameworkId: string;

  @ManyToOne(() => Framework, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'framework_id', foreignKeyConstraintName: 'FK_requirements_framework' })
  framework?: Framework;

  @Column('text')
  ref: string;

  @Column({ name: 'group_name', type: 'text' })
  groupName: string;

  @Column('text')
  title: string;

  /** Why the requirement does not apply to the company; null when it applies. */
  @Column({ name: 'not_applicable', type: 'text', nullable: true })
  notApplicable: string | null;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'content_hash', type: 'text' })
  contentHash: string;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
