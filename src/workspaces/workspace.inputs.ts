import { Field, Float, InputType } from 'type-graphql';
import { IsEnum, IsNumber, IsString, Length, Max, Min } from 'class-validator';
import { Role } from '../shared/auth';

@InputType({ description: 'A new API key: what it is for and what it may do.' })
export class CreateApiKeyInput {
  @Field({ description: 'What the key is for, e.g. "Segment ingestion".' })
  @IsString() @Length(1, 100)
  name: string;

  @Field(() => Role, { description: 'What the key may do (see Role); give each integration the least it needs.' })
  @IsEnum(Role)
  role: Role;
}

@InputType({ description: 'Band thresholds: RED below redBelow, YELLOW below yellowBelow, GREEN otherwise.' })
export class BandThresholdsInput {
  @Field(() => Float, { description: 'Scores below this are RED; in (0, 100] and below yellowBelow.' })
  @IsNumber() @Min(0.000001) @Max(100)
  redBelow: number;

  @Field(() => Float, { description: 'Scores below this (and not RED) are YELLOW, the rest GREEN; in (0, 100] and above redBelow.' })
  @IsNumber() @Min(0.000001) @Max(100)
  yellowBelow: number;
}
