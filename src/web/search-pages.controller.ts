import { Controller, Get, Query, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { AppAbility } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { CurrentAbility, CurrentActor, Policy } from '../authz/policy.decorator';
import { CatalogService } from '../catalog/catalog.service';
import { DocumentsService } from '../documents/documents.service';
import { DsrRequestsService } from '../dsr/dsr-requests.service';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { IncidentsService } from '../incidents/incidents.service';
import { RisksService } from '../risks/risks.service';
import { SearchQueryDto } from './dto/search-forms.dto';
import type { Page } from '../common/http/pagination';
import {
  HITS,
  SEARCH_MAX_CHARS,
  SEARCH_SECTION_SIZE,
  searchPage,
  section,
  type SearchHit,
  type SearchSection,
} from './search.page';

type Subject = Parameters<AppAbility['can']>[1];
type More = { path: string; params?: Record<string, string> } | null;
interface Kind {
  key: string;
  title: string;
  subject: Subject;
  ask: () => Promise<SearchSection>;
}

const FIRST = { limit: SEARCH_SECTION_SIZE, offset: 0 };

/**
 * `/search?q=`: every kind of record the person may read whose key, reference or title contains the words.
 * Each section is asked of its own service with the person's access, as its list page would; a kind the
 * person may not read is not searched (nor named).
 */
@ApiExcludeController()
@Controller('search')
export class SearchPagesController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceQueriesService,
    private readonly risks: RisksService,
    private readonly dsr: DsrRequestsService,
    private readonly documents: DocumentsService,
    private readonly incidents: IncidentsService,
  ) {}

  @Get()
  @Policy('read', 'Control')
  @Render('search')
  async search(
    @CurrentActor() actor: UserActor,
    @CurrentAbility() ability: AppAbility,
    @Query() query: SearchQueryDto,
  ) {
    const q = query.q ?? '';
    if (q.length > SEARCH_MAX_CHARS) return searchPage(q, [], `Search for at most ${SEARCH_MAX_CHARS} characters.`);
    const asks = this.sections(actor, q).filter((s) => ability.can('read', s.subject));
    const sections = q ? await Promise.all(asks.map((s) => s.ask())) : [];
    return searchPage(
      q,
      q ? sections : asks.map((s) => ({ key: s.key, title: s.title, total: 0, hits: [], more: null })),
    );
  }

  /** Each kind of record: who may read it, and how to search it (the list page's filter, with the person's access). */
  private sections(actor: UserActor, q: string): Kind[] {
    const first = { ...FIRST, q };
    const k = <T>(
      key: string,
      title: string,
      subject: Subject,
      list: () => Promise<Page<T>>,
      hit: (t: T) => SearchHit,
      more: More,
    ) => ({ key, title, subject, ask: async () => section(key, title, await list(), hit, more, q) });
    return [
      k('controls', 'Controls', 'Control', () => this.catalog.listControls(actor, first), HITS.control, {
        path: '/controls',
      }),
      { key: 'requirements', title: 'Requirements', subject: 'Requirement', ask: () => this.requirements(q) },
      k(
        'evidence',
        'Evidence',
        'Evidence',
        () => this.evidence.list(actor, { ...first, current: true }),
        HITS.evidence,
        null,
      ),
      k('risks', 'Risks', 'Risk', () => this.risks.list(actor, first), HITS.risk, { path: '/risks' }),
      k('dsr', 'Data subject requests', 'DsrRequest', () => this.dsr.list(actor, first), HITS.dsr, { path: '/dsr' }),
      k('documents', 'Documents', 'Document', () => this.documents.list(actor, first), HITS.document, {
        path: '/documents',
      }),
      k('incidents', 'Incidents', 'Incident', () => this.incidents.list(actor, first), HITS.incident, {
        path: '/incidents',
        params: { show: 'all' },
      }),
    ];
  }

  /** Requirements of every framework whose ref or title contains the words. */
  private async requirements(q: string): Promise<SearchSection> {
    const frameworks = await this.catalog.listFrameworks();
    const pages = await Promise.all(
      frameworks.map(async (f) => ({ f, page: await this.catalog.requirements(f.key, { ...FIRST, q }) })),
    );
    const items = pages.flatMap(({ f, page }) => page.items.map((r) => ({ f, r })));
    const total = pages.reduce((n, p) => n + p.page.total, 0);
    return section(
      'requirements',
      'Requirements',
      { items, total },
      ({ f, r }) => ({
        href: `/catalog/${f.key}#req-${encodeURIComponent(r.ref)}`,
        label: `${f.key} ${r.ref} ${r.title}`,
        detail: r.controls.join(', ') || null,
      }),
      null,
      q,
    );
  }
}
