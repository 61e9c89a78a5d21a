import { LAYER_CASES } from './layer-cases.js';
import { leakTable } from './leak-table.js';

leakTable('', LAYER_CASES);
