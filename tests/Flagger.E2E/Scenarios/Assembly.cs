[assembly: AssemblyFixture(typeof(Flagger.E2E.Environment.E2EEnvironment))]
