import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Evidence } from './evidence.entity';

/** "Evidence serves control": one item can serve several controls. Controls are referenced by id only (catalog module). */
@Entity('evidence_controls')
export class EvidenceControl {
  @PrimaryColumn({ name: 'evidence_id', type: 'uuid', primaryKeyConstraintName: 'PK_evidence_controls' })
  evidenceId: string;

  @Index('IDX_evidence_controls_control')
  @PrimaryColumn({ name: 'control_id', type: 'uuid', primaryKeyConstraintName: 'PK_evidence_controls' })
  controlId: string;

  @ManyToOne(() => Evidence, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'evidence_id', foreignKeyConstraintName: 'FK_evidence_controls_evidence' })
  evidence?: Evidence;
}
