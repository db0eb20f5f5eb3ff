// Before anything else loads: a failure's stack then names src/ files and lines, not the bundle's.
process.setSourceMapsEnabled(true);

// A dynamic import, so the maps are on before the rest of the action is compiled.
void import('./main').then(({ run }) => run());
