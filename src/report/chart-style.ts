// The look every losslab chart shares (the report's and anatomy's): readable fonts, left-aligned titles, a light grid.
export const CHART_STYLE = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 8,
  title: { fontSize: 15, anchor: 'start', offset: 12, subtitleFontSize: 12, subtitleColor: '#555' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  view: { stroke: '#ccc' },
};
