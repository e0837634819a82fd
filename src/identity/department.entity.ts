import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A department of the company; keys come from controls/departments.yaml. */
@Entity('departments')
export class Department {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_departments' })
  id: string;

  @Index('UQ_departments_key', { unique: true })
  @Column('text')
  key: string;

  @Column('text')
  name: string;
}
