/** The first page: what engine main runs, and which datasets are available. */
import { SimpleGrid } from '@mantine/core';
import { useRequest } from '../api/context.tsx';
import { DatasetsCard } from '../components/DatasetsCard.tsx';
import { EngineCard } from '../components/EngineCard.tsx';
import { RequestView } from '../components/RequestView.tsx';

export function OverviewPage() {
  const info = useRequest('app.info');
  const datasets = useRequest('datasets.list');
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
      <RequestView state={info} label="engine info">
        {(data) => <EngineCard engine={data.engine} appVersion={data.version} />}
      </RequestView>
      <RequestView state={datasets} label="datasets">
        {(data) => <DatasetsCard datasets={data.datasets} />}
      </RequestView>
    </SimpleGrid>
  );
}
