import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, RUN_METRICS } from '../src/runner/run-metrics';
import { JOB_DEPLOYMENTS } from './job-deployments';
import { StackUnit } from './stack-unit';

/** A small CloudWatch dashboard of the run metrics: one graph per figure, one line per job. */
export class RunDashboard extends StackUnit {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const graph = (title: string, metricName: string, statistic: string, unit?: string) =>
      new cloudwatch.GraphWidget({
        title,
        width: 12,
        height: 6,
        left: JOB_DEPLOYMENTS.map((d) => new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { Job: d.job }, statistic, period: Duration.hours(1), label: d.job })),
        leftYAxis: { min: 0, ...(unit ? { label: unit } : {}) },
      });
    const dashboard = new cloudwatch.Dashboard(this, 'RunDashboard', { dashboardName: 'soundlake-runs' });
    dashboard.addWidgets(graph('Rows written', RUN_METRICS.rowsOut, 'Sum'), graph('Rows rejected', RUN_METRICS.rowsRejected, 'Sum'));
    dashboard.addWidgets(graph('Bytes written', RUN_METRICS.bytes, 'Sum', 'bytes'), graph('Run time (longest)', RUN_METRICS.seconds, 'Maximum', 'seconds'));
    dashboard.addWidgets(graph('Successful runs', RUN_METRICS.succeeded, 'Sum'), graph('Exit code (highest)', RUN_METRICS.exitCode, 'Maximum'));
    this.dashboard = dashboard;
  }
}
