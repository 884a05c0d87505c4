import type { PlannerSettings } from '@p2pcdn/core';

const percent = (v: number): string => `${Math.round(v * 100)} %`;

/** Props of {@link PlannerSettingsView}. */
export interface PlannerSettingsViewProps {
  planner: PlannerSettings | undefined;
}

/**
 * The tree planner's settings as the coordinator reports them: which planner, the water marks,
 * the farm policy, stripes and forecasting. Test id: `planner-settings` (`data-planner`).
 */
export function PlannerSettingsView({ planner }: PlannerSettingsViewProps) {
  if (!planner) {
    return (
      <p className="planner-settings muted small" data-testid="planner-settings" data-planner="unknown">
        The coordinator reports no planner settings (an older coordinator, or the skeleton planner).
      </p>
    );
  }
  const items: [string, string, string][] = [
    ['planner', planner.planner, 'Which tree planner places viewers and relays'],
    [
      'high water',
      percent(planner.highWater),
      'Above this load a relay distributes its children onto a new relay',
    ],
    ['low water', percent(planner.lowWater), 'Below this load a relay is consolidated away'],
    ['farms', planner.farmPolicy, 'How new viewers are spread over a farm'],
    ['stripes', String(planner.stripes), 'Parents per viewer, one per stripe'],
    ['forecast', planner.forecast ? 'on' : 'off', 'Holt forecasting of logons and logoffs'],
  ];
  return (
    <dl className="planner-settings" data-testid="planner-settings" data-planner={planner.planner}>
      {items.map(([label, value, title]) => (
        <div key={label} title={title}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
