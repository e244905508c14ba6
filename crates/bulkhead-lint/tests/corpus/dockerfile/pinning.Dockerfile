FROM alpine:3.19.1@sha256:3333333333333333333333333333333333333333333333333333333333333333 AS build
RUN apk add --no-cache --virtual .build-deps gcc=13.2.1_git20231014-r0 musl-dev~=1.2 make
RUN apt-get install -y --no-install-recommends -t bookworm-backports foo=1.0 bar/bookworm ./local.deb baz
RUN pip install --no-cache-dir flask==3.0.3 "requests>=2.31" ./pkg -r requirements.txt gunicorn
RUN python3 -m pip install --no-cache-dir uvicorn
RUN npm install && npm ci && npm install -g typescript@5.4.5 @angular/cli@17.3.0 left-pad @scope/tool
RUN gem install rails:7.1.3 && gem install bundler -v 2.5.9 && gem install rake
HEALTHCHECK --interval=30s CMD wget -qO- http://localhost:8080/health || exit 1
FROM build
USER 10001:10001
HEALTHCHECK --timeout=2s CMD ["/bin/true"]
CMD ["/app"]
