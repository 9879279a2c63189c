// `losslab schema`: prints the JSON Schema of experiment files (generated from the zod schema).
import type { CommandModule } from 'yargs';
import { experimentJsonSchema } from '../../config/schema';
import { ExitCode } from '../../errors';
import type { Io } from '../../io';

export function schemaCommand(io: Io, setExit: (code: number) => void): CommandModule<object, object> {
  return {
    command: 'schema',
    describe: 'Print the JSON Schema of experiment files (committed as losslab.schema.json)',
    handler: () => {
      io.out(`${JSON.stringify(experimentJsonSchema(), null, 2)}\n`);
      setExit(ExitCode.ok);
    },
  };
}
