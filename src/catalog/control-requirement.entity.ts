import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Control } from './control.entity';
import { Requirement } from './requirement.entity';

/** "Control satisfies requirement": one control serves many requirements, across frameworks. */
@Entity('control_requirements')
export class ControlRequirement {
  @PrimaryColumn({ name: 'control_id', type: 'uuid', primaryKeyConstraintName: 'PK_control_requirements' })
  controlId: string;

  @Index('IDX_control_requirements_requirement')
  @PrimaryColumn({ name: 'requirement_id', type: 'uuid', primaryKeyConstraintName: 'PK_control_requirements' })
  requirementId: string;

  @ManyToOne(() => Control, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'control_id', foreignKeyConstraintName: 'FK_control_requirements_control' })
  control?: Control;

  @ManyToOne(() => Requirement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'requirement_id', foreignKeyConstraintName: 'FK_control_requirements_requirement' })
  requirement?: Requirement;
}
