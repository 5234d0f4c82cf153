# MailRecovery CLI image: publish with the .NET 10 SDK, run on the .NET 10 runtime.
# The CLI's AssemblyName is "mailrecovery", so the published app host is /app/mailrecovery.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
# drop build output that may have come along from a developer's tree
RUN find src -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} + \
 && dotnet publish src/MailRecovery.Cli/MailRecovery.Cli.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app /app
ENV PATH="/app:${PATH}"
ENTRYPOINT ["mailrecovery"]
CMD ["watch", "--config", "/etc/mailrecovery/config.json"]
