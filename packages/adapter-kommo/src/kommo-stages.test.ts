/**
 * Stages by name: case- and accent-insensitive, explicit ids first, won/lost at 142/143, and a
 * name that does not exist refused with the pipeline's real statuses.
 */
import { ValidationError, type CrmPipeline } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { foldName, resolveKommoStages } from './kommo-stages.js';

const pipelines: CrmPipeline[] = [
  {
    pipelineId: '7001',
    name: 'Funil de vendas',
    statuses: [
      { statusId: '70011', name: 'Leads de entrada' },
      { statusId: '70013', name: 'Reunião agendada' },
      { statusId: '70014', name: 'Não interessado' },
      { statusId: '142', name: 'Venda ganha' },
      { statusId: '143', name: 'Venda perdida' },
    ],
  },
  { pipelineId: '7002', name: 'Cobrança', statuses: [{ statusId: '70021', name: 'Em aberto' }] },
];

describe('resolveKommoStages', () => {
  it('folds case, accents and spaces', () => {
    expect(foldName('  Reunião   AGENDADA ')).toBe('reuniao agendada');
  });

  it('resolves names as Kommo shows them, whatever their case and accents, and defaults won/lost to 142/143', () => {
    const resolved = resolveKommoStages(pipelines, {
      pipeline: 'funil de VENDAS',
      stages: { meeting_scheduled: 'reuniao agendada', not_interested: 'NÃO INTERESSADO' },
    });
    expect(resolved).toEqual({
      pipelineId: '7001',
      pipelineName: 'Funil de vendas',
      stageMapping: {
        won: { pipelineId: '7001', statusId: '142' },
        lost: { pipelineId: '7001', statusId: '143' },
        meeting_scheduled: { pipelineId: '7001', statusId: '70013' },
        not_interested: { pipelineId: '7001', statusId: '70014' },
      },
    });
  });

  it('an explicit id wins over a name', () => {
    const resolved = resolveKommoStages(pipelines, { pipeline: 7002, stages: { new: '70021', won: 142 } });
    expect(resolved.stageMapping.new).toEqual({ pipelineId: '7002', statusId: '70021' });
    expect(resolved.stageMapping.won).toEqual({ pipelineId: '7002', statusId: '142' });
  });

  it('a status that does not exist is a ValidationError naming the setting and listing the real statuses', () => {
    let error: unknown;
    try {
      resolveKommoStages(pipelines, { pipeline: 'Funil de vendas', stages: { meeting_scheduled: 'Reunião marcada' } });
    } catch (caught) {
      error = caught;
    }
    expect(ValidationError.isInstance(error) && error.fieldErrors).toEqual([
      {
        field: 'config.stages.meeting_scheduled',
        message:
          'pipeline "Funil de vendas" has no status "Reunião marcada"; its statuses are "Leads de entrada", "Reunião agendada", "Não interessado", "Venda ganha", "Venda perdida"',
      },
    ]);
  });

  it('a pipeline that does not exist names the account’s pipelines', () => {
    expect(() => resolveKommoStages(pipelines, { pipeline: 'Vendas' })).toThrow(
      /config\.pipeline.*"Funil de vendas" \(7001\), "Cobrança" \(7002\)/,
    );
  });
});
