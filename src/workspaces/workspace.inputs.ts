import { Field, Float, InputType } from 'type-graphql';
import { IsEnum, IsNumber, IsString, Length, Max, Min } from 'class-validator';
import { Role } from '../shared/auth';

@InputType()
export class CreateApiKeyInput {
  @Field({ description: 'What the key is for, e.g. "Segment ingestion".' })
  @IsString() @Length(1, 100)
  name: string;

  @Field(() => Role)
  @IsEnum(Role)
  role: Role;
}

@InputType({ description: 'Band thresholds: RED below redBelow, YELLOW below yellowBelow, GREEN otherwise.' })
export class BandThresholdsInput {
  @Field(() => Float)
  @IsNumber() @Min(0.000001) @Max(100)
  redBelow: number;

  @Field(() => Float)
  @IsNumber() @Min(0.000001) @Max(100)
  yellowBelow: number;
}
