#!/usr/bin/env bash
# Build the images, push them to ECR, and deploy the CDK app's template. Needs Node, the AWS CLI
# with credentials, and Docker. Usage:
#   ecs/deploy.sh <settings.json>
# settings.json: see ecs/settings.example.json and docs/deployment.md. Run it again after
# `soundlake snowflake setup` with snowflake.* filled in: the role then trusts Snowflake, the bucket
# notifies the pipes, and the schedules are enabled.
set -euo pipefail
settings=$(realpath "${1:?settings json (see ecs/settings.example.json)}")
cd "$(dirname "$0")/.."

# Images are tagged by commit, so a tag always names the code it runs: a dirty tree has no such name.
if [ -n "$(git status --porcelain)" ]; then
  echo "deploy.sh: the work tree has uncommitted changes; commit or stash them (images are tagged by commit)" >&2
  exit 2
fi
tag=$(git rev-parse --short=12 HEAD)

read -r region repository bucket < <(node -e '
  const s = require(process.argv[1]);
  console.log(s.region, s.imageRepository, s.lakeBucketName);' "$settings")
registry=${repository%%/*}
repo_name=${repository#*/}

# Synthesize first: a settings mistake stops here, before anything is built or pushed.
npm run -s deploy:build
template=$(mktemp -t soundlake-template.XXXXXX.json)
node -e '
  const { buildApp } = require("./dist-ecs/ecs/app.js");
  const { app } = buildApp(process.argv[1], { imageTag: process.argv[2] });
  // Minified: CloudFormation takes a template body of at most 51,200 bytes without an S3 bucket.
  require("fs").writeFileSync(process.argv[3], JSON.stringify(app.synth().getStackByName("soundlake").template));
' "$settings" "$tag" "$template"

# The network the settings promise (egress): checked against the subnets' routes and the security
# groups before anything is built or created (docs/deployment.md, "Network").
node dist-ecs/ecs/network-preflight.js "$settings"

aws ecr describe-repositories --region "$region" --repository-names "$repo_name" >/dev/null 2>&1 \
  || aws ecr create-repository --region "$region" --repository-name "$repo_name" --image-scanning-configuration scanOnPush=true >/dev/null
aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
# Two images of the same commit: slim for the jobs without a browser, -browser for distrokid.
docker build --platform linux/amd64 --target slim -t "$repository:$tag" .
docker build --platform linux/amd64 --target full -t "$repository:$tag-browser" .
docker push "$repository:$tag"
docker push "$repository:$tag-browser"

stack=soundlake
status=$(aws cloudformation describe-stacks --region "$region" --stack-name "$stack" --query 'Stacks[0].StackStatus' --output text 2>/dev/null || echo NONE)
if [ "$status" = ROLLBACK_COMPLETE ] || [ "$status" = ROLLBACK_FAILED ]; then
  # A first create that failed leaves a stack that can only be deleted. The lake bucket is kept
  # (RETAIN); if that create made it, it is empty, and a new create needs the name free again.
  echo "deploy.sh: stack $stack is $status after a failed first create; deleting it before creating it again" >&2
  aws cloudformation delete-stack --region "$region" --stack-name "$stack"
  aws cloudformation wait stack-delete-complete --region "$region" --stack-name "$stack"
  status=NONE
fi
if [ "$status" = NONE ] && aws s3api head-bucket --bucket "$bucket" 2>/dev/null; then
  if [ "$(aws s3api list-objects-v2 --bucket "$bucket" --max-keys 1 --query 'KeyCount' --output text)" = 0 ]; then
    echo "deploy.sh: removing the empty bucket $bucket left by a failed create" >&2
    aws s3api delete-bucket --region "$region" --bucket "$bucket"
  else
    echo "deploy.sh: bucket $bucket exists and holds data, but no stack owns it; import it (docs/aws-stack.md) or choose another lakeBucketName" >&2
    exit 1
  fi
fi

# A new account has no ECS service-linked role until ECS first needs it, and creating the cluster in
# the same stack can race its creation ("Unable to assume the service linked role"): create it first.
# An account that has it answers "has been taken in this account": fine.
aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com >/dev/null 2>&1 || true

# deploy = create or update through a change set; with no change it exits 0 instead of failing.
aws cloudformation deploy --region "$region" --stack-name "$stack" --template-file "$template" \
  --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset
aws cloudformation describe-stacks --region "$region" --stack-name "$stack" --query 'Stacks[0].Outputs' --output table
