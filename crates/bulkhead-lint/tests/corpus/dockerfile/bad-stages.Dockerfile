FROM alpine:3.19 AS build
RUN echo build
FROM alpine:3.19 AS build
COPY --from=build / /
COPY --from=build /x /x
RUN chown -R 10001 /x
FROM build
USER 0
